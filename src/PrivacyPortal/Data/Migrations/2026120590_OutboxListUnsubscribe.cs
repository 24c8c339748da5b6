using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>The one-click unsubscribe address a mail carries in its List-Unsubscribe header, if any.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120590_OutboxListUnsubscribe")]
public sealed class OutboxListUnsubscribe : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>("ListUnsubscribe", "OutboxMessages", maxLength: 2000, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropColumn("ListUnsubscribe", "OutboxMessages");
    }
}
