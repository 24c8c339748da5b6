using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.ScaleOut;

/// <summary>
/// The daily jobs (retention sweep, staff summary) on two instances sharing one PostgreSQL database:
/// both try every day, the lease in the database lets exactly one run it.
/// </summary>
public sealed class DailyJobsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly PostgresTestDatabase _database = new();
    private readonly SmtpTestServer _smtp = new();

    [Fact]
    public async Task Two_instances_starting_on_the_same_day_run_each_daily_job_once()
    {
        using (var first = Instance(seed: true, jobsEnabled: false).Start())
        using (var kari = await TwoPortals.SignInOnAsync(first, _smtp, PortalHost.Kari))
        {
            // Due a month after it is received: the 23rd of December.
            await RequestFlows.FileAsync(kari, "en", RequestKind.Access);
        }

        // Two days before it is due, two instances start at once; each checks the daily jobs as it starts.
        var day = new DateTimeOffset(2026, 12, 21, 6, 0, 0, TimeSpan.Zero);
        using var a = Instance(seed: false, jobsEnabled: true, day);
        using var b = Instance(seed: false, jobsEnabled: true, day);
        await Task.WhenAll(Task.Run(() => a.Start()), Task.Run(() => b.Start()));

        await using var db = _database.NewContext();
        var today = DateOnly.FromDateTime(day.UtcDateTime);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        // The retention sweep, the staff summary and the OIDC pruning.
        while (await db.Set<JobLease>().CountAsync(l => l.LastCompletedOn == today) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "every daily job should have completed the day: " + string.Join("; ",
                (await db.Set<JobLease>().AsNoTracking().ToListAsync()).Select(l => $"{l.Name} {l.LastCompletedOn} {l.LockedBy} {l.LockedUntil}")));
            await Task.Delay(100);
        }

        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Action == "retention.swept"));
        var summaries = await db.Outbox.AsNoTracking().Where(m => m.Kind == "staff-summary").Select(m => m.To).ToListAsync();
        Assert.Equal([PortalHost.Dpo, PortalHost.Support], summaries.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Of_many_simultaneous_attempts_on_two_instances_one_wins_and_a_crashed_holder_is_taken_over_after_its_lease()
    {
        using var a = Instance(seed: true, jobsEnabled: false).Start();
        using var b = Instance(seed: false, jobsEnabled: false).Start();
        var day = new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);
        a.Clock.SetUtcNow(day);
        b.Clock.SetUtcNow(day);
        var onA = a.Services.GetRequiredService<RetentionJob>();
        var onB = b.Services.GetRequiredService<RetentionJob>();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => (i % 2 == 0 ? onA : onB).TryRunOnceAsync(CancellationToken.None))));
        Assert.Single(results, won => won);

        // An instance takes the next day's lease and dies without finishing.
        var next = new DateOnly(2026, 12, 2);
        a.Clock.SetUtcNow(day.AddDays(1));
        b.Clock.SetUtcNow(day.AddDays(1));
        await using (var scope = a.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<JobLeases>()
                .TryAcquireDailyAsync("retention.sweep", next, TimeSpan.FromMinutes(30), "crashed-instance", CancellationToken.None));
        }

        Assert.False(await onB.TryRunOnceAsync(CancellationToken.None));
        b.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.True(await onB.TryRunOnceAsync(CancellationToken.None));
        Assert.False(await onA.TryRunOnceAsync(CancellationToken.None));
        await using var db = _database.NewContext();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == "retention.swept"));
    }

    /// <summary>An instance on the shared database with its clock at <paramref name="now"/>; not started.</summary>
    private PortalAppFactory Instance(bool seed, bool jobsEnabled, DateTimeOffset? now = null)
    {
        var instance = TwoPortals.Create(_database, _smtp, seed).With("Jobs:Enabled", jobsEnabled ? "true" : "false");
        instance.Clock.SetUtcNow(now ?? Start);
        return instance;
    }

    public void Dispose()
    {
        _smtp.Dispose();
        _database.Dispose();
    }
}
