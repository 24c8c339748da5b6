using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PrivacyPortal.Features.Impersonation;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// One open "view as customer" per staff member, enforced by a unique partial index instead of a
/// check before the insert that two simultaneous starts could both pass. Rows a race may already
/// have left open beside a newer one are ended first (as expired at their own end), so the index
/// can be built.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("20261201000200_ImpersonationOpenPerStaff")]
public sealed class ImpersonationOpenPerStaff : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql("""
            UPDATE "ImpersonationSessions" SET "EndedAt" = "ExpiresAt", "EndedBy" = 'expired'
            WHERE "EndedAt" IS NULL AND EXISTS (
                SELECT 1 FROM "ImpersonationSessions" AS "newer"
                WHERE "newer"."StaffId" = "ImpersonationSessions"."StaffId" AND "newer"."EndedAt" IS NULL
                  AND ("newer"."StartedAt" > "ImpersonationSessions"."StartedAt"
                       OR ("newer"."StartedAt" = "ImpersonationSessions"."StartedAt" AND "newer"."Id" > "ImpersonationSessions"."Id")))
            """);
        migrationBuilder.DropIndex("IX_ImpersonationSessions_StaffId_EndedAt", "ImpersonationSessions");
        migrationBuilder.CreateIndex(
            ImpersonationSessionConfiguration.OpenIndexName,
            "ImpersonationSessions",
            "StaffId",
            unique: true,
            filter: ImpersonationSessionConfiguration.OpenFilter);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(ImpersonationSessionConfiguration.OpenIndexName, "ImpersonationSessions");
        migrationBuilder.CreateIndex("IX_ImpersonationSessions_StaffId_EndedAt", "ImpersonationSessions", ["StaffId", "EndedAt"]);
    }
}
