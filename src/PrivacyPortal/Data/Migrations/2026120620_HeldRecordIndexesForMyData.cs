using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// Indexes that keep my-data's cost flat in the number of records a person has (docs/benchmarks.md,
/// "PostgreSQL per request"): the id joins the person/controller/category/date index, so the newest
/// records of a category come in index order on PostgreSQL, and a partial index finds the newest
/// "relationship still active" word of a category without reading the person's other records.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("2026120620_HeldRecordIndexesForMyData")]
public sealed class HeldRecordIndexesForMyData : Migration
{
    private const string OldIndex = "IX_HeldRecords_SubjectId_ControllerId_CategoryId_RetentionFrom";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.CreateIndex(HeldRecordConfiguration.NewestIndexName, "HeldRecords", ["SubjectId", "ControllerId", "CategoryId", "RetentionFrom", "Id"]);
        migrationBuilder.DropIndex(OldIndex, "HeldRecords");
        migrationBuilder.CreateIndex(
            HeldRecordConfiguration.RelationshipActiveIndexName, "HeldRecords", ["SubjectId", "ControllerId", "CategoryId", "RetentionFrom"],
            filter: HeldRecordConfiguration.RelationshipActiveFilter);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(HeldRecordConfiguration.RelationshipActiveIndexName, "HeldRecords");
        migrationBuilder.CreateIndex(OldIndex, "HeldRecords", ["SubjectId", "ControllerId", "CategoryId", "RetentionFrom"]);
        migrationBuilder.DropIndex(HeldRecordConfiguration.NewestIndexName, "HeldRecords");
    }
}
