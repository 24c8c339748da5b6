using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// PrivacyRequests: the channel a request came in by (0, the portal, for every existing one), and
/// for requests staff record, how the identity was checked and by whom.
/// ManualRecipientTasks: Art. 19 tasks for recipients outside the group's stores, done by staff.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("202612054001_RequestChannelsAndManualRecipientTasks")]
public sealed class RequestChannelsAndManualRecipientTasks : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<int>("Channel", "PrivacyRequests", nullable: false, defaultValue: 0);
        if (migrationBuilder.ActiveProvider == "Npgsql.EntityFrameworkCore.PostgreSQL")
        {
            // The default only fills the existing rows; the model has none, and every insert names the channel.
            migrationBuilder.Sql("""ALTER TABLE "PrivacyRequests" ALTER COLUMN "Channel" DROP DEFAULT;""");
        }

        migrationBuilder.AddColumn<int>("IdentityCheck", "PrivacyRequests", nullable: true);
        migrationBuilder.AddColumn<string>("IdentityNote", "PrivacyRequests", maxLength: 1000, nullable: true);
        migrationBuilder.AddColumn<Guid>("RecordedBy", "PrivacyRequests", nullable: true);
        migrationBuilder.CreateTable(
            name: "ManualRecipientTasks",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                RequestId = table.Column<Guid>(nullable: false),
                SubjectId = table.Column<Guid>(nullable: false),
                RecipientId = table.Column<string>(maxLength: 64, nullable: false),
                Kind = table.Column<int>(nullable: false),
                Contact = table.Column<string>(maxLength: 500, nullable: false),
                Categories = table.Column<string>(maxLength: 2000, nullable: false),
                CreatedAt = table.Column<long>(nullable: false),
                DoneAt = table.Column<long>(nullable: true),
                DoneBy = table.Column<Guid>(nullable: true),
                DoneNote = table.Column<string>(maxLength: 1000, nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ManualRecipientTasks", x => x.Id);
                table.ForeignKey("FK_ManualRecipientTasks_PrivacyRequests_RequestId", x => x.RequestId, "PrivacyRequests", "Id", onDelete: ReferentialAction.Cascade);
            });
        migrationBuilder.CreateIndex("IX_ManualRecipientTasks_RequestId_DoneAt", "ManualRecipientTasks", ["RequestId", "DoneAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("ManualRecipientTasks");
        migrationBuilder.DropColumn("RecordedBy", "PrivacyRequests");
        migrationBuilder.DropColumn("IdentityNote", "PrivacyRequests");
        migrationBuilder.DropColumn("IdentityCheck", "PrivacyRequests");
        migrationBuilder.DropColumn("Channel", "PrivacyRequests");
    }
}
