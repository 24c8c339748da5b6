using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace PrivacyPortal.Data.Migrations;

/// <summary>Rate-limit counters shared by every instance (the per-IP sign-in limit).</summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261122000700_SharedRateLimits")]
public sealed class SharedRateLimits : Migration
{
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
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropTable("RateLimitCounters");
    }
}
