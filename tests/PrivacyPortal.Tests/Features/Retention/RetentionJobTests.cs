using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Retention;

public sealed class RetentionJobTests
{
    private static DateTimeOffset At(int year, int month, int day, int hour = 6) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_sweep_deletes_only_what_has_passed_its_retention_end_as_the_clock_moves()
    {
        using var host = new PortalHost(At(2026, 12, 31));
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        await host.DbAsync(async db =>
        {
            // A category the policy does not know is never touched, however old.
            db.HeldRecords.Add(new HeldRecord { SubjectId = kariId, ControllerId = "innore-no", CategoryId = "legacy-import", Summary = "Old import", Content = "{}", RetentionFrom = new DateOnly(2001, 1, 1), CreatedAt = At(2026, 12, 31), UpdatedAt = At(2026, 12, 31) });
            await db.SaveChangesAsync();
        });
        var job = host.Factory.Services.GetRequiredService<RetentionJob>();
        var total = await host.DbAsync(db => db.HeldRecords.CountAsync());

        // 31 December 2026: the 2021 orders are still within their last day.
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None));
        Assert.Equal(total, await host.DbAsync(db => db.HeldRecords.CountAsync()));

        host.Factory.Clock.SetUtcNow(At(2027, 1, 1));
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None));
        var gone = await host.DbAsync(db => db.AuditEvents.Where(e => e.Action == "retention.deleted").Select(e => e.Detail!).ToListAsync());
        Assert.Equal(["innore-no/orders: 1 record(s) whose retention ended (latest 2026-12-31)", "innore-no/payment: 1 record(s) whose retention ended (latest 2026-12-31)"], gone.Order(StringComparer.Ordinal));
        Assert.Equal(total - 2, await host.DbAsync(db => db.HeldRecords.CountAsync()));
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.RetentionFrom.Year == 2021 && r.CategoryId == "orders")));
        Assert.True(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.RetentionFrom.Year == 2022 && r.CategoryId == "orders")));

        // Same day again: the lease says it already ran.
        Assert.False(await job.TryRunOnceAsync(CancellationToken.None));

        // Three years on, everything whose period has ended is gone, and nothing else.
        host.Factory.Clock.SetUtcNow(At(2029, 10, 1));
        var policy = host.Factory.Services.GetRequiredService<PrivacyPortal.Features.Policy.PolicyCatalog>();
        var beforeSweep = await host.DbAsync(db => db.HeldRecords.AsNoTracking().ToListAsync());
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None));
        var after = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Select(r => r.Id).ToListAsync());
        var today = new DateOnly(2029, 10, 1);
        foreach (var record in beforeSweep)
        {
            var category = policy.FindCategory(record.ControllerId, record.CategoryId);
            var ended = category is not null && policy.CalculateRetention(record.ControllerId, record.CategoryId, record.RetentionFrom).Until < today;
            Assert.True(ended != after.Contains(record.Id), $"{record.ControllerId}/{record.CategoryId} {record.RetentionFrom:yyyy-MM-dd} ended={ended}");
        }

        Assert.Contains(beforeSweep, r => r.CategoryId == "legacy-import" && after.Contains(r.Id));
        Assert.Contains(beforeSweep, r => r.ControllerId == "innore-ee" && r.CategoryId == "orders" && after.Contains(r.Id));
    }

    [Fact]
    public async Task The_dry_run_report_lists_what_would_go_and_deletes_nothing()
    {
        using var host = new PortalHost();
        var total = await host.DbAsync(db => db.HeldRecords.CountAsync());
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        var page = await dpo.GetPageAsync("/staff/retention?on=2027-01-02");

        var text = page.QuerySelector("main")!.TextContent;
        Assert.Contains("2 January 2027: 2 record(s) would be deleted", text, StringComparison.Ordinal);
        Assert.Contains("Order NO-2021-0142", text, StringComparison.Ordinal);
        Assert.Contains("Payment for NO-2021-0142", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NO-2022-0877", text, StringComparison.Ordinal);
        Assert.Equal(total, await host.DbAsync(db => db.HeldRecords.CountAsync()));
        Assert.True(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "staff.viewed-retention-report")));
    }

    [Fact]
    public async Task Of_several_instances_only_one_runs_the_job_each_day()
    {
        using var host = new PortalHost(At(2027, 1, 1));
        var services = host.Factory.Services;
        var options = services.GetRequiredService<IOptions<JobOptions>>();
        var instances = Enumerable.Range(0, 4)
            .Select(_ => new RetentionJob(services.GetRequiredService<IServiceScopeFactory>(), host.Factory.Clock, options, NullLogger<RetentionJob>.Instance))
            .ToList();

        var firstDay = await Task.WhenAll(instances.Select(j => j.TryRunOnceAsync(CancellationToken.None)));
        Assert.Equal(1, firstDay.Count(ran => ran));
        Assert.Equal(1, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "retention.swept")));

        host.Factory.Clock.SetUtcNow(At(2027, 1, 2, 3));
        Assert.DoesNotContain(true, await Task.WhenAll(instances.Select(j => j.TryRunOnceAsync(CancellationToken.None)))); // before 04:00 UTC
        host.Factory.Clock.SetUtcNow(At(2027, 1, 2, 5));
        Assert.Equal(1, (await Task.WhenAll(instances.Select(j => j.TryRunOnceAsync(CancellationToken.None)))).Count(ran => ran));
        var lease = await host.DbAsync(db => db.Set<JobLease>().AsNoTracking().SingleAsync(l => l.Name == "retention.sweep"));
        Assert.Equal(new DateOnly(2027, 1, 2), lease.LastCompletedOn);
        Assert.Null(lease.LockedBy);
    }

    [Fact]
    public async Task Running_in_the_background_the_jobs_wake_up_as_time_passes()
    {
        using var host = new PortalHost(At(2027, 1, 1, 2), f => f.With("Jobs:Enabled", "true").With("Jobs:CheckInterval", "00:10:00"));
        Assert.Equal(0, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "retention.swept")));

        host.Factory.Clock.Advance(TimeSpan.FromHours(3));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "retention.swept")) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(1, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "retention.swept")));
    }

    [Fact]
    public async Task The_daily_summary_emails_every_staff_member_the_requests_due_soon_once_a_day()
    {
        using var host = new PortalHost();
        using (var kari = await host.SignInAsync(PortalHost.Kari, "nb"))
        {
            await RequestFlows.FileAsync(kari, "nb", RequestKind.Access);
        }

        var job = host.Factory.Services.GetRequiredService<StaffSummaryJob>();
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None)); // due in a month: nothing to say
        Assert.Empty(await host.MailsToAsync(PortalHost.Dpo));

        host.Factory.Clock.Advance(TimeSpan.FromDays(28)); // 21 December, due the 23rd
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None));
        Assert.False(await job.TryRunOnceAsync(CancellationToken.None));

        foreach (var staff in new[] { PortalHost.Dpo, PortalHost.Support })
        {
            var mail = Assert.Single(await host.MailsToAsync(staff));
            Assert.Equal("staff-summary", mail.Kind);
            Assert.Contains("Requests due soon: 1 (0 overdue)", mail.Subject, StringComparison.Ordinal);
            Assert.Contains("due 23 December 2026", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("/staff?due=soon", mail.TextBody, StringComparison.Ordinal);
        }
    }
}
