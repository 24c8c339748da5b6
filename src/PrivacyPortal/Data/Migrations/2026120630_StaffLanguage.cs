using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>The language a staff member chose for the staff pages (null: the browser's).</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120630_StaffLanguage")]
public sealed class StaffLanguage : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>("StaffLanguage", "AspNetUsers", maxLength: 10, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropColumn("StaffLanguage", "AspNetUsers");
    }
}
