using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>The sender's display name of a mail, in its recipient's language.</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120596_OutboxSenderName")]
public sealed class OutboxSenderName : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<string>("SenderName", "OutboxMessages", maxLength: 200, nullable: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropColumn("SenderName", "OutboxMessages");
    }
}
