using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.MyData;

/// <summary>
/// HeldRecordCounts is kept by triggers, not by the app: whatever writes HeldRecords (EF, bulk
/// statements, a cascade from a deleted account), the counts equal a count of the records. Runs on
/// SQLite and, in the test command's second pass, on PostgreSQL with its statement triggers.
/// </summary>
public sealed class HeldRecordCountsTests : IDisposable
{
    private readonly PortalHost _host = new();

    [Fact]
    public async Task Counts_follow_inserts_updates_deletes_and_a_deleted_account()
    {
        var kari = await _host.UserIdAsync(PortalHost.Kari);
        var ola = await _host.UserIdAsync(PortalHost.Ola);
        await AssertCountsMatchAsync("demo data");

        // Through EF, one statement per row.
        await _host.DbAsync(async db =>
        {
            for (var i = 0; i < 30; i++)
            {
                db.HeldRecords.Add(Record(kari, i % 3 == 0 ? "payment" : "orders", $"EF {i}"));
            }

            db.HeldRecords.Add(Record(ola, "orders", "Ola's order"));
            await db.SaveChangesAsync();
        });
        await AssertCountsMatchAsync("after EF inserts");
        var before = await CountAsync(kari, "orders");

        // Bulk: one statement over many rows.
        await _host.DbAsync(db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO "HeldRecords" ("SubjectId", "ControllerId", "CategoryId", "Summary", "Content", "RetentionFrom", "RelationshipActive", "CreatedAt", "UpdatedAt")
            SELECT "SubjectId", "ControllerId", "CategoryId", "Summary" || ' copy', "Content", "RetentionFrom", "RelationshipActive", "CreatedAt", "UpdatedAt"
            FROM "HeldRecords" WHERE "SubjectId" = {kari} AND "CategoryId" = 'orders'
            """));
        await AssertCountsMatchAsync("after a bulk insert");
        Assert.Equal(before * 2, await CountAsync(kari, "orders"));

        // A record moved to another category, and an update that moves nothing.
        await _host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kari && r.Summary == "EF 1").ExecuteUpdateAsync(s => s.SetProperty(r => r.CategoryId, "inquiries")));
        await _host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kari).ExecuteUpdateAsync(s => s.SetProperty(r => r.Summary, r => r.Summary + ".")));
        await AssertCountsMatchAsync("after updates");

        // Deletes: one tracked row, then every payment record at once, which removes the count.
        await _host.DbAsync(async db =>
        {
            db.HeldRecords.Remove(await db.HeldRecords.FirstAsync(r => r.SubjectId == kari && r.CategoryId == "orders"));
            await db.SaveChangesAsync();
        });
        await _host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kari && r.CategoryId == "payment").ExecuteDeleteAsync());
        await AssertCountsMatchAsync("after deletes");
        Assert.Equal(0, await CountAsync(kari, "payment"));
        Assert.False(await _host.DbAsync(db => db.Set<HeldRecordCount>().AnyAsync(c => c.SubjectId == kari && c.CategoryId == "payment")));

        // The account goes: its records and counts go with it, Ola's stay.
        await _host.DbAsync(db => db.Users.Where(u => u.Id == kari).ExecuteDeleteAsync());
        await AssertCountsMatchAsync("after the account was deleted");
        Assert.False(await _host.DbAsync(db => db.Set<HeldRecordCount>().AnyAsync(c => c.SubjectId == kari)));
        Assert.True(await CountAsync(ola, "orders") > 0);
    }

    public void Dispose() => _host.Dispose();

    private static HeldRecord Record(Guid subject, string category, string summary) => new()
    {
        SubjectId = subject,
        ControllerId = "innore-no",
        CategoryId = category,
        Summary = summary,
        Content = "{}",
        RetentionFrom = new DateOnly(2025, 3, 1),
        CreatedAt = PortalHost.DefaultNow,
        UpdatedAt = PortalHost.DefaultNow,
    };

    private Task<int> CountAsync(Guid subject, string category) => _host.DbAsync(db => db.Set<HeldRecordCount>()
        .Where(c => c.SubjectId == subject && c.ControllerId == "innore-no" && c.CategoryId == category)
        .Select(c => c.Count).FirstOrDefaultAsync());

    private async Task AssertCountsMatchAsync(string when)
    {
        var counted = await _host.DbAsync(db => db.HeldRecords
            .GroupBy(r => new { r.SubjectId, r.ControllerId, r.CategoryId })
            .Select(g => new { g.Key.SubjectId, g.Key.ControllerId, g.Key.CategoryId, Count = g.Count() })
            .ToListAsync());
        var kept = await _host.DbAsync(db => db.Set<HeldRecordCount>().ToListAsync());
        Assert.True(counted.Count > 0 || when.Contains("deleted", StringComparison.Ordinal), $"no records {when}");
        Assert.Equal(
            counted.Select(c => $"{c.SubjectId}/{c.ControllerId}/{c.CategoryId}={c.Count}").Order(StringComparer.Ordinal),
            kept.Select(c => $"{c.SubjectId}/{c.ControllerId}/{c.CategoryId}={c.Count}").Order(StringComparer.Ordinal));
    }
}
