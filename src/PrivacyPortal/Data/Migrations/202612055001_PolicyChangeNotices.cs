using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Material policy revisions as first loaded, and who was told of each: the notice mails go out
/// once per person and revision, however often and on however many instances the revision is loaded.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("202612055001_PolicyChangeNotices")]
public sealed class PolicyChangeNotices : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateTable(
            name: "PolicyRevisionAnnouncements",
            columns: table => new
            {
                Revision = table.Column<string>(maxLength: 100, nullable: false),
                EffectiveDate = table.Column<DateOnly>(nullable: false),
                FirstLoadedAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_PolicyRevisionAnnouncements", x => x.Revision));

        migrationBuilder.CreateTable(
            name: "PolicyChangeNotices",
            columns: table => new
            {
                Revision = table.Column<string>(maxLength: 100, nullable: false),
                SubjectId = table.Column<Guid>(nullable: false),
                QueuedAt = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_PolicyChangeNotices", x => new { x.Revision, x.SubjectId });
                table.ForeignKey("FK_PolicyChangeNotices_AspNetUsers_SubjectId", x => x.SubjectId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_PolicyChangeNotices_SubjectId", "PolicyChangeNotices", "SubjectId");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("PolicyChangeNotices");
        migrationBuilder.DropTable("PolicyRevisionAnnouncements");
    }
}
