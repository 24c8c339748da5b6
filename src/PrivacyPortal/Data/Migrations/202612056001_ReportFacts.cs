using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Data.Migrations;

/// <summary>
/// What the privacy officer's reports count in the database: the day each request was answered
/// (carried out, refused or closed, whichever came first), the days it took and how, filled in from
/// the timelines for requests answered before; and indexes that answer the reports' GROUP BY
/// queries over a range of months without reading the tables.
/// </summary>
[DbContext(typeof(PortalDbContext))]
[Migration("202612056001_ReportFacts")]
public sealed class ReportFacts : Migration
{
    private const string Postgres = "Npgsql.EntityFrameworkCore.PostgreSQL";

    // DateTimeOffset columns hold UTC ticks; these turn them into Unix seconds.
    private const string UnixEpochTicks = "621355968000000000";
    private const string TicksPerSecond = "10000000";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.AddColumn<DateOnly>("AnsweredOn", "PrivacyRequests", nullable: true);
        migrationBuilder.AddColumn<int>("AnswerDays", "PrivacyRequests", nullable: true);
        migrationBuilder.AddColumn<int>("Answer", "PrivacyRequests", nullable: true);

        var answers = $"{(int)RequestEventKind.CarriedOut}, {(int)RequestEventKind.Refused}, {(int)RequestEventKind.Closed}";
        migrationBuilder.Sql($"""
            UPDATE "PrivacyRequests" SET "Answer" = (
                SELECT "e"."Kind" FROM "PrivacyRequestEvents" AS "e"
                WHERE "e"."RequestId" = "PrivacyRequests"."Id" AND "e"."Kind" IN ({answers})
                ORDER BY "e"."OccurredAt", "e"."Id" LIMIT 1)
            """);
        var firstAnswerAt = $"""
            (SELECT min("e"."OccurredAt") FROM "PrivacyRequestEvents" AS "e" WHERE "e"."RequestId" = "PrivacyRequests"."Id" AND "e"."Kind" IN ({answers}))
            """;
        if (migrationBuilder.ActiveProvider == Postgres)
        {
            migrationBuilder.Sql($"""
                UPDATE "PrivacyRequests" SET "AnsweredOn" = (to_timestamp(({firstAnswerAt} - {UnixEpochTicks}) / {TicksPerSecond}) AT TIME ZONE 'UTC')::date
                WHERE "Answer" IS NOT NULL
                """);
            migrationBuilder.Sql($"""
                UPDATE "PrivacyRequests" SET "AnswerDays" = "AnsweredOn" - (to_timestamp(("ReceivedAt" - {UnixEpochTicks}) / {TicksPerSecond}) AT TIME ZONE 'UTC')::date
                WHERE "AnsweredOn" IS NOT NULL
                """);
        }
        else
        {
            migrationBuilder.Sql($"""
                UPDATE "PrivacyRequests" SET "AnsweredOn" = date(({firstAnswerAt} - {UnixEpochTicks}) / {TicksPerSecond}, 'unixepoch')
                WHERE "Answer" IS NOT NULL
                """);
            migrationBuilder.Sql($"""
                UPDATE "PrivacyRequests" SET "AnswerDays" = CAST(julianday("AnsweredOn") - julianday(date(("ReceivedAt" - {UnixEpochTicks}) / {TicksPerSecond}, 'unixepoch')) AS INTEGER)
                WHERE "AnsweredOn" IS NOT NULL
                """);
        }

        migrationBuilder.CreateIndex(
            PrivacyRequestConfiguration.ReportIndexName,
            "PrivacyRequests",
            ["ReceivedAt", "Kind", "Controllers", "DueOn", "AnsweredOn", "AnswerDays", "Answer", "ExtensionMonths"]);
        migrationBuilder.CreateIndex("IX_CookieConsents_RecordedAt_Action", "CookieConsents", ["RecordedAt", "Action"]);
        migrationBuilder.CreateIndex(
            MarketingPreferenceRecordConfiguration.ReportIndexName,
            "MarketingPreferences",
            ["Kind", "Enabled", "OccurredAt", "ControllerId"]);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.DropIndex(MarketingPreferenceRecordConfiguration.ReportIndexName, "MarketingPreferences");
        migrationBuilder.DropIndex("IX_CookieConsents_RecordedAt_Action", "CookieConsents");
        migrationBuilder.DropIndex(PrivacyRequestConfiguration.ReportIndexName, "PrivacyRequests");
        migrationBuilder.DropColumn("Answer", "PrivacyRequests");
        migrationBuilder.DropColumn("AnswerDays", "PrivacyRequests");
        migrationBuilder.DropColumn("AnsweredOn", "PrivacyRequests");
    }
}
