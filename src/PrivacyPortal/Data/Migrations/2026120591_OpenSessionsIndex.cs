using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>Open sessions by last activity and absolute end, for the sweep that ends timed-out sessions.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120591_OpenSessionsIndex")]
public sealed class OpenSessionsIndex : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateIndex(
            UserSessionConfiguration.OpenIndexName, "Sessions", ["LastSeenAt", "ExpiresAt"], filter: UserSessionConfiguration.OpenFilter);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(UserSessionConfiguration.OpenIndexName, "Sessions");
    }
}
