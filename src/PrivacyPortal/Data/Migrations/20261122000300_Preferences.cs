using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Marketing preference history (newsletter, objections, consents) and cookie consent proof. Both
/// tables are append-only. Written by hand without provider-specific column types, like Foundation.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122000300_Preferences")]
public sealed class Preferences : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "MarketingPreferences",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                SubjectId = table.Column<Guid>(nullable: false),
                ControllerId = table.Column<string>(maxLength: 64, nullable: false),
                Kind = table.Column<int>(nullable: false),
                Target = table.Column<string>(maxLength: 64, nullable: false),
                Version = table.Column<int>(nullable: false),
                Enabled = table.Column<bool>(nullable: false),
                Actor = table.Column<int>(nullable: false),
                ActorId = table.Column<Guid>(nullable: true),
                Channel = table.Column<int>(nullable: false),
                StoreId = table.Column<string>(maxLength: 64, nullable: true),
                PolicyRevision = table.Column<string>(maxLength: 64, nullable: false),
                OccurredAt = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_MarketingPreferences", x => x.Id);
                table.ForeignKey("FK_MarketingPreferences_AspNetUsers_SubjectId", x => x.SubjectId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "CookieConsents",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                ConsentId = table.Column<Guid>(nullable: false),
                SubjectId = table.Column<Guid>(nullable: true),
                Categories = table.Column<string>(maxLength: 500, nullable: false),
                Action = table.Column<int>(nullable: false),
                GlobalPrivacyControl = table.Column<bool>(nullable: false),
                PolicyRevision = table.Column<string>(maxLength: 64, nullable: false),
                GivenAt = table.Column<long>(nullable: false),
                RecordedAt = table.Column<long>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_CookieConsents", x => x.Id);
                table.ForeignKey("FK_CookieConsents_AspNetUsers_SubjectId", x => x.SubjectId, "AspNetUsers", "Id", onDelete: ReferentialAction.SetNull);
            });

        migrationBuilder.CreateIndex(
            "IX_MarketingPreferences_SubjectId_ControllerId_Kind_Target_Version",
            "MarketingPreferences",
            ["SubjectId", "ControllerId", "Kind", "Target", "Version"],
            unique: true);
        migrationBuilder.CreateIndex("IX_MarketingPreferences_ControllerId_Id", "MarketingPreferences", ["ControllerId", "Id"]);
        migrationBuilder.CreateIndex("IX_CookieConsents_ConsentId_Id", "CookieConsents", ["ConsentId", "Id"]);
        migrationBuilder.CreateIndex("IX_CookieConsents_SubjectId_Id", "CookieConsents", ["SubjectId", "Id"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("CookieConsents");
        migrationBuilder.DropTable("MarketingPreferences");
    }
}
