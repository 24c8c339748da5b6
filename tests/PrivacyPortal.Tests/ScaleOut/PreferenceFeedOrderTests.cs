using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.ScaleOut;

/// <summary>
/// Stores collect preference changes by id after their cursor. On PostgreSQL ids come from a
/// sequence as statements run, and transactions commit in any order: without care, a change with a
/// higher id could be read while one with a lower id was still in flight, and the store's cursor
/// would pass the lower one for good (an unsubscribe lost). Writers of the history queue, so a
/// change never becomes visible before one with a lower id.
/// </summary>
public sealed class PreferenceFeedOrderTests : IDisposable
{
    private readonly PostgresTestDatabase _database = new();
    private readonly PortalAppFactory _portal;

    public PreferenceFeedOrderTests()
    {
        _portal = TwoPortals.Create(_database, smtp: null, seed: true).Start();
    }

    [Fact]
    public async Task A_change_made_while_an_earlier_one_is_uncommitted_waits_so_the_feed_never_skips_the_earlier_one()
    {
        var kari = await UserIdAsync(PortalHost.Kari);
        var mari = await UserIdAsync(PortalHost.Mari);
        var cursor = (await FeedAsync(0)).Select(i => i.Id).DefaultIfEmpty(0).Max();

        // Writer 1 is in flight: it has its row (and so its id) but has not committed.
        await using var first = _database.NewContext();
        await using var firstTransaction = await first.Database.BeginTransactionAsync();
        await first.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({CursorFeedLock.PreferenceHistory})");
        first.Add(new MarketingPreferenceRecord
        {
            SubjectId = mari,
            ControllerId = "innore-ee",
            Kind = PreferenceKind.Newsletter,
            Target = PreferenceKey.NewsletterTarget,
            Version = 1_000,
            Enabled = false,
            Actor = PreferenceActorKind.Person,
            ActorId = mari,
            Channel = PreferenceChannel.Portal,
            PolicyRevision = "test",
            OccurredAt = PortalHost.DefaultNow,
        });
        await first.SaveChangesAsync();

        // Writer 2 is the portal's own command, for another person.
        var newsletter = PreferenceKey.Newsletter("innore-no");
        var second = PortalTestSession.WithScopeAsync(_portal, async services =>
        {
            var state = await services.GetRequiredService<MarketingPreferenceState>().LoadOneAsync(kari, newsletter, default);
            return await services.GetRequiredService<ChangeMarketingPreferenceCommand>()
                .ExecuteAsync(kari, [new PreferenceChange(newsletter, !state.Enabled)], PreferenceActor.Person(kari), default);
        });

        // It must queue behind writer 1 rather than commit a higher id first.
        await using (var observer = _database.NewContext())
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!await WaitsForHistoryLockAsync(observer))
            {
                Assert.False(second.IsCompleted, "the second change committed while the first was still in flight");
                Assert.True(DateTime.UtcNow < deadline, "the second change neither waited nor finished");
                await Task.Delay(20);
            }
        }

        // A store reading now sees neither; once the first commits, it sees both, in id order.
        Assert.Empty(await FeedAsync(cursor));
        await firstTransaction.CommitAsync();
        Assert.Equal(PreferenceChangeOutcome.Changed, (await second).Outcome);
        var collected = await FeedAsync(cursor);
        Assert.Equal([mari, kari], collected.Select(i => i.SubjectId));
        Assert.True(collected[0].Id < collected[1].Id);
    }

    public void Dispose()
    {
        _portal.Dispose();
        _database.Dispose();
    }

    private static async Task<bool> WaitsForHistoryLockAsync(PortalDbContext db)
    {
        // An advisory lock on a bigint key shows its high and low 32 bits as classid and objid.
        var key = CursorFeedLock.PreferenceHistory;
        var high = (long)(key >> 32);
        var low = key & 0xFFFFFFFF;
        return await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = {high} AND objid::bigint = {low}
            """).SingleAsync() > 0;
    }

    private async Task<Guid> UserIdAsync(string email)
    {
        await using var db = _database.NewContext();
        var normalized = email.ToUpperInvariant();
        return await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).SingleAsync();
    }

    private Task<IReadOnlyList<PreferenceChangeItem>> FeedAsync(long cursor) =>
        PortalTestSession.WithScopeAsync(_portal, s => s.GetRequiredService<PreferenceChangeFeed>().ReadAfterAsync(cursor, null, 100, default));
}
