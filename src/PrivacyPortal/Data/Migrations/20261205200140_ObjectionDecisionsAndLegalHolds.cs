using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Staff's per-purpose decisions on Art. 21(1) objections, and the privacy officer's legal holds.
/// Written by hand without provider-specific column types.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261205200140_ObjectionDecisionsAndLegalHolds")]
public sealed class ObjectionDecisionsAndLegalHolds : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "ObjectionDecisions",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                RequestId = table.Column<Guid>(nullable: false),
                SubjectId = table.Column<Guid>(nullable: false),
                ControllerId = table.Column<string>(maxLength: 64, nullable: false),
                PurposeId = table.Column<string>(maxLength: 64, nullable: false),
                Upheld = table.Column<bool>(nullable: false),
                Grounds = table.Column<string>(maxLength: 4000, nullable: true),
                DecidedAt = table.Column<long>(nullable: false),
                DecidedBy = table.Column<Guid>(nullable: false),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_ObjectionDecisions", x => x.Id);
                table.ForeignKey("FK_ObjectionDecisions_PrivacyRequests_RequestId", x => x.RequestId, "PrivacyRequests", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateTable(
            name: "LegalHolds",
            columns: table => new
            {
                Id = table.Column<long>(nullable: false)
                    .Annotation("Sqlite:Autoincrement", true)
                    .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                SubjectId = table.Column<Guid>(nullable: false),
                Categories = table.Column<string>(maxLength: 2000, nullable: true),
                Reason = table.Column<string>(maxLength: 4000, nullable: false),
                Confidential = table.Column<bool>(nullable: false),
                EndsOn = table.Column<DateOnly>(nullable: true),
                PlacedAt = table.Column<long>(nullable: false),
                PlacedBy = table.Column<Guid>(nullable: false),
                LiftedAt = table.Column<long>(nullable: true),
                LiftedBy = table.Column<Guid>(nullable: true),
            },
            constraints: table =>
            {
                table.PrimaryKey("PK_LegalHolds", x => x.Id);
                table.ForeignKey("FK_LegalHolds_AspNetUsers_SubjectId", x => x.SubjectId, "AspNetUsers", "Id", onDelete: ReferentialAction.Cascade);
            });

        migrationBuilder.CreateIndex("IX_ObjectionDecisions_RequestId_ControllerId_PurposeId", "ObjectionDecisions", ["RequestId", "ControllerId", "PurposeId"], unique: true);
        migrationBuilder.CreateIndex("IX_ObjectionDecisions_SubjectId_Upheld", "ObjectionDecisions", ["SubjectId", "Upheld"]);
        migrationBuilder.CreateIndex("IX_LegalHolds_SubjectId_LiftedAt", "LegalHolds", ["SubjectId", "LiftedAt"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("LegalHolds");
        migrationBuilder.DropTable("ObjectionDecisions");
    }
}
