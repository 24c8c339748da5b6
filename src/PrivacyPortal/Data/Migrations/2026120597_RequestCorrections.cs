using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>A rectification request may correct several values: all of them as a JSON list.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120597_RequestCorrections")]
public sealed class RequestCorrections : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>("CorrectionsJson", "PrivacyRequests", nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropColumn("CorrectionsJson", "PrivacyRequests");
    }
}
