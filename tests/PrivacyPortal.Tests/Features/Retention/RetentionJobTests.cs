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
    /// <summary>An anonymised record's fields as "name=value; …", in their stored order.</summary>
    internal static string Fields(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return string.Join("; ", document.RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value}"));
    }

    private static DateTimeOffset At(int year, int month, int day, int hour = 6) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_sweep_deletes_or_anonymises_only_what_has_passed_its_retention_end_as_the_clock_moves()
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
        // The 2021 payment is deleted; the 2021 order is anonymised, as the policy's rule for orders says.
        var gone = await host.DbAsync(db => db.AuditEvents.Where(e => e.Action == "retention.deleted").Select(e => e.Detail!).ToListAsync());
        Assert.Equal(["innore-no/payment: 1 record(s) whose retention ended (latest 2026-12-31)"], gone);
        var anonymisedLines = await host.DbAsync(db => db.AuditEvents.Where(e => e.Action == "retention.anonymised").Select(e => new { e.SubjectId, e.Detail }).ToListAsync());
        Assert.Equal(kariId, Assert.Single(anonymisedLines).SubjectId);
        Assert.Equal("innore-no/orders: 1 record(s) whose retention ended (latest 2026-12-31), kept without the link to the person: product, total, currency", anonymisedLines[0].Detail);
        Assert.Equal(total - 2, await host.DbAsync(db => db.HeldRecords.CountAsync()));
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.RetentionFrom.Year == 2021 && r.CategoryId == "orders")));
        Assert.True(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.RetentionFrom.Year == 2022 && r.CategoryId == "orders")));
        var anonymous = await host.DbAsync(db => db.Set<AnonymisedRecord>().AsNoTracking().SingleAsync());
        Assert.Equal(("innore-no", "orders", 2021), (anonymous.ControllerId, anonymous.CategoryId, anonymous.Year));
        Assert.Equal("product=Skyvedør, hvit, 90 × 210 cm; total=7490; currency=NOK", Fields(anonymous.Content));

        // Same day again: the lease says it already ran.
        Assert.False(await job.TryRunOnceAsync(CancellationToken.None));

        // On 1 October 2029 exactly these records are left (ends restated from the policy by hand):
        // INNORE AS keeps 5 years after the year end, Innore OÜ 7; customer data 3 years after the
        // relationship; analytics 26 months; the marketing record's last day is 1 October 2029 itself.
        host.Factory.Clock.SetUtcNow(At(2029, 10, 1));
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None));
        var left = await host.DbAsync(db => db.HeldRecords.AsNoTracking()
            .Join(db.Users, r => r.SubjectId, u => u.Id, (r, u) => new { u.Email, r.ControllerId, r.CategoryId, r.RetentionFrom })
            .ToListAsync());
        Assert.Equal(
            [
                "kari.nordmann@example.no innore-ee/configurator-drawings 2024-03-10",
                "kari.nordmann@example.no innore-no/configurator-drawings 2024-03-10",
                "kari.nordmann@example.no innore-no/legacy-import 2001-01-01",
                "kari.nordmann@example.no innore-no/marketing 2026-10-01",
                "kari.nordmann@example.no innore-no/orders 2024-03-10",
                "kari.nordmann@example.no innore-no/orders 2025-09-14",
                "kari.nordmann@example.no innore-no/payment 2024-03-10",
                "kari.nordmann@example.no innore-no/payment 2025-09-14",
                "mari.maasikas@example.ee innore-ee/orders 2023-08-11",
                "mari.maasikas@example.ee innore-ee/orders 2025-05-20",
                "mari.maasikas@example.ee innore-ee/payment 2025-05-20",
                "ola.hansen@bygg.example.no innore-ee/contract-invoicing 2025-12-12",
                "ola.hansen@bygg.example.no innore-ee/project-data 2025-10-20",
                "ola.hansen@bygg.example.no innore-no/configurator-drawings 2025-10-06",
                "ola.hansen@bygg.example.no innore-no/contract-invoicing 2025-11-30",
                "ola.hansen@bygg.example.no innore-no/project-data 2026-03-04",
            ],
            left.Select(r => $"{r.Email} {r.ControllerId}/{r.CategoryId} {r.RetentionFrom:yyyy-MM-dd}").Order(StringComparer.Ordinal));

        // Kari's 2022 and 2023 orders and Mari's analytics record were anonymised, not deleted.
        var kept = await host.DbAsync(db => db.Set<AnonymisedRecord>().AsNoTracking().OrderBy(r => r.CategoryId).ThenBy(r => r.Year).Select(r => new { r.ControllerId, r.CategoryId, r.Year, r.Content }).ToListAsync());
        Assert.Equal(
            [
                "innore-no/orders 2021 product=Skyvedør, hvit, 90 × 210 cm; total=7490; currency=NOK",
                "innore-no/orders 2022 product=Garderobeinnredning, eik; total=12950; currency=NOK",
                "innore-no/orders 2023 product=Trappegelender, stål; total=18400; currency=NOK",
                "innore-ee/technical 2026 browser=Firefox 140; visits=14",
            ],
            kept.Select(r => $"{r.ControllerId}/{r.CategoryId} {r.Year} {Fields(r.Content)}"));
    }

    [Fact]
    public async Task The_dry_run_report_lists_what_would_go_and_deletes_nothing()
    {
        using var host = new PortalHost();
        var total = await host.DbAsync(db => db.HeldRecords.CountAsync());
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        var page = await dpo.GetPageAsync("/staff/retention?on=2027-01-02");

        var text = page.QuerySelector("main")!.TextContent;
        Assert.Contains("2 January 2027: 2 record(s) would be deleted or anonymised", text, StringComparison.Ordinal);
        var groups = page.QuerySelectorAll(".retention-group").Select(g => g.TextContent).ToList();
        Assert.Contains(groups, g => g.Contains("Order NO-2021-0142", StringComparison.Ordinal) && g.Contains("anonymised: keeps product, total, currency", StringComparison.Ordinal));
        Assert.Contains(groups, g => g.Contains("Payment for NO-2021-0142", StringComparison.Ordinal) && g.Contains("deleted", StringComparison.Ordinal));
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
