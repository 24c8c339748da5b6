using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// "View as customer": one row per impersonation, and the settings an Admin changes at run time
/// (the impersonation on/off switch). Written by hand without provider-specific column types.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122000500_Impersonation")]
public sealed class Impersonation : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "ImpersonationSessions",
            columns: table => new
            {
                Id = table.Column<Guid>(nullable: false),
                StaffId = table.Column<Guid>(nullable: false),
                StaffName = table.Column<string>(maxLength: 200, nullable: false),
                StaffSessionId = table.Column<Guid>(nullable: false),
                CustomerId = table.Column<Guid>(nullable: false),
                Reason = table.Column<string>(maxLength: 500, nullable: false),
                Ticket = table.Column<string>(maxLength: 64, nullable: false),
                StartedAt = table.Column<long>(nullable: false),
                ExpiresAt = table.Column<long>(nullable: false),
                EndedAt = table.Column<long>(nullable: true),
                EndedBy = table.Column<string>(maxLength: 32, nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_ImpersonationSessions", x => x.Id));

        migrationBuilder.CreateTable(
            name: "PortalSettings",
            columns: table => new
            {
                Key = table.Column<string>(maxLength: 100, nullable: false),
                Value = table.Column<string>(maxLength: 400, nullable: false),
                ChangedAt = table.Column<long>(nullable: false),
                ChangedBy = table.Column<Guid>(nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_PortalSettings", x => x.Key));

        migrationBuilder.CreateIndex("IX_ImpersonationSessions_CustomerId_StartedAt", "ImpersonationSessions", ["CustomerId", "StartedAt"]);
        migrationBuilder.CreateIndex("IX_ImpersonationSessions_StaffId_EndedAt", "ImpersonationSessions", ["StaffId", "EndedAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("PortalSettings");
        migrationBuilder.DropTable("ImpersonationSessions");
    }
}
