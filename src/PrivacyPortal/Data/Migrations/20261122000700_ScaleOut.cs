using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// What running several instances on PostgreSQL needs: rate-limit counters shared by every instance
/// (the per-IP sign-in limit), and a name within PostgreSQL's 63 characters for the one index whose
/// generated name was longer (PostgreSQL cut it short, so it no longer matched the model).
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122000700_ScaleOut")]
public sealed class ScaleOut : Migration
{
    private const string LongIndexName = "IX_MarketingPreferences_SubjectId_ControllerId_Kind_Target_Version";
    private const string ShortIndexName = "IX_MarketingPreferences_Subject_Controller_Kind_Target_Version";
    private static readonly string[] PreferenceIndexColumns = ["SubjectId", "ControllerId", "Kind", "Target", "Version"];

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);

        migrationBuilder.CreateTable(
            name: "RateLimitCounters",
            columns: table => new
            {
                Key = table.Column<string>(maxLength: 200, nullable: false),
                Count = table.Column<int>(nullable: false),
                WindowEndsAt = table.Column<long>(nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_RateLimitCounters", x => x.Key));

        migrationBuilder.CreateIndex("IX_RateLimitCounters_WindowEndsAt", "RateLimitCounters", "WindowEndsAt");

        // Dropping by the long name works on PostgreSQL too: it cuts identifiers the same way when reading them.
        migrationBuilder.DropIndex(LongIndexName, "MarketingPreferences");
        migrationBuilder.CreateIndex(ShortIndexName, "MarketingPreferences", PreferenceIndexColumns, unique: true);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(ShortIndexName, "MarketingPreferences");
        migrationBuilder.CreateIndex(LongIndexName, "MarketingPreferences", PreferenceIndexColumns, unique: true);
        migrationBuilder.DropTable("RateLimitCounters");
    }
}
