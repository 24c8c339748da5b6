using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Reports;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>
/// The privacy officer's reports, read from the page as the officer sees them, after requests were
/// filed and handled through the pages over three months and cookie choices and unsubscribes were made.
/// </summary>
public sealed class ReportsTests
{
    private static readonly DateTimeOffset September10 = new(2026, 9, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_officer_sees_requests_per_company_answers_on_time_median_days_extensions_and_refusals()
    {
        using var host = new PortalHost(September10);
        Guid access, objection, portability;
        using (var kari = await host.SignInAsync(PortalHost.Kari))
        {
            access = await RequestFlows.FileAsync(kari, "en", RequestKind.Access);
            objection = await RequestFlows.FileAsync(kari, "en", RequestKind.Objection, f => f.Set("Input.Details", "Stop profiling me."));
            portability = await RequestFlows.FileAsync(kari, "en", RequestKind.Portability);
            await RequestFlows.FileAsync(kari, "en", RequestKind.Complaint, f => f.Set("Input.Details", "Nobody answers my mails."));
        }

        // 20 September: two answered after 10 days; the third extended by two months (due 10 December).
        host.Factory.Clock.SetUtcNow(September10.AddDays(10));
        using (var dpo = await host.StaffAsync(PortalHost.Dpo))
        {
            await RequestFlows.StaffDoAsync(dpo, access, "carry-out", f => f.Set("Input.Reply", "Here is your data."));
            await RequestFlows.StaffDoAsync(dpo, objection, "refuse", f => f.Set("Input.RefuseReasons", "The processing is needed to prevent fraud."));
            await RequestFlows.StaffDoAsync(dpo, portability, "extend", f => f.Set("Input.ExtendMonths", "2").Set("Input.ExtendReasons", "Two archive systems."));
        }

        // 5 October: Mari asks for access (due 5 November); 2 November: a restriction, not yet due.
        host.Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 10, 5, 12, 0, 0, TimeSpan.Zero));
        Guid late;
        using (var mari = await host.SignInAsync(PortalHost.Mari))
        {
            late = await RequestFlows.FileAsync(mari, "en", RequestKind.Access);
        }

        host.Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero));
        using (var mari = await host.SignInAsync(PortalHost.Mari))
        {
            await RequestFlows.FileAsync(mari, "en", RequestKind.Restriction);
        }

        // 20 November: Mari's access is answered late (46 days), the extended one within its extended deadline (71 days).
        host.Factory.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        using var officer = await host.StaffAsync(PortalHost.Dpo);
        await RequestFlows.StaffDoAsync(officer, late, "carry-out", f => f.Set("Input.Reply", "Sorry for the wait."));
        await RequestFlows.StaffDoAsync(officer, portability, "carry-out", f => f.Set("Input.Reply", "Your data as JSON."));
        // Closing after carrying out does not move the day it was answered.
        await RequestFlows.StaffDoAsync(officer, access, "close");
        var page = await officer.GetPageAsync("/staff/reports");

        var answers = Table(page, "#answers");
        // Month, received, on time, late, open past the deadline, share on time, median days, extended, refused.
        Assert.Equal(["September 2026", "4", "3", "0", "1", "75%", "10", "1", "1"], answers["September 2026"]);
        Assert.Equal(["October 2026", "1", "0", "1", "0", "0%", "46", "0", "0"], answers["October 2026"]);
        Assert.Equal(["November 2026", "1", "0", "0", "0", "–", "–", "0", "0"], answers["November 2026"]);
        Assert.Equal(["August 2026", "0", "0", "0", "0", "–", "–", "0", "0"], answers["August 2026"]);
        Assert.Equal(["Total", "6", "3", "1", "1", "60%", "28", "1", "1"], answers["Total"]);
        Assert.Equal(13, answers.Count);
        Assert.Contains("60% of the requests that were due answered on time, median 28 days to answer, 1 extended, 1 refused",
            page.QuerySelector("#answers-summary")!.TextContent, StringComparison.Ordinal);

        // Each request counts for every company it was addressed to, by kind.
        var addressed = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().Select(r => new { r.Kind, r.Controllers, r.ReceivedAt }).ToListAsync());
        foreach (var company in new[] { "innore-ee", "innore-no" })
        {
            var table = Table(page, $"#requests-{company}");
            foreach (var (month, from) in new[] { ("September 2026", new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero)), ("October 2026", new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero)) })
            {
                var mine = addressed.Where(r => PrivacyRequest.Split(r.Controllers).Contains(company) && r.ReceivedAt >= from && r.ReceivedAt < from.AddMonths(1)).ToList();
                var kinds = Enum.GetValues<RequestKind>().Select(k => mine.Count(r => r.Kind == k).ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal([month, .. kinds, mine.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)], table[month]);
            }
        }

        Assert.Equal(4, addressed.Count(r => r.ReceivedAt < new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.NotNull(page.QuerySelector("#report-requests svg[role=img][aria-label]"));
        var closed = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == access));
        Assert.Equal((new DateOnly(2026, 9, 20), 10, RequestEventKind.CarriedOut), (closed.AnsweredOn!.Value, closed.AnswerDays!.Value, closed.Answer!.Value));

        var dpoId = await host.UserIdAsync(PortalHost.Dpo);
        Assert.True(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => e.ActorId == dpoId && e.Action == "staff.viewed-reports" && e.Detail!.StartsWith("2025-12 to 2026-11: 6 request(s)"))));
        Assert.Equal("Figures as of 20 November 2026, 14:00; they are computed again at most once a minute.", page.QuerySelector("#report-computed")!.TextContent.Trim());

        // The figures are computed at most once a minute: a request filed 30 s later shows after the minute.
        host.Factory.Clock.Advance(TimeSpan.FromSeconds(30));
        using (var mari = await host.SignInAsync(PortalHost.Mari))
        {
            await RequestFlows.FileAsync(mari, "en", RequestKind.Erasure);
        }

        Assert.Equal("6", Table(await officer.GetPageAsync("/staff/reports"), "#answers")["Total"][1]);
        host.Factory.Clock.Advance(TimeSpan.FromSeconds(31));
        var later = await officer.GetPageAsync("/staff/reports");
        Assert.Equal("7", Table(later, "#answers")["Total"][1]);
        Assert.Contains("20 November 2026, 14:01", later.QuerySelector("#report-computed")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.ActorId == dpoId && e.Action == "staff.viewed-reports")));
    }

    [Fact]
    public async Task Cookie_choices_unsubscribes_and_open_recipient_tasks_are_counted_per_month_at_the_month_boundary()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        Guid requestId;
        using (var kari = await host.SignInAsync(PortalHost.Kari))
        {
            requestId = await RequestFlows.FileAsync(kari, "en", RequestKind.Erasure);
        }

        await host.DbAsync(async db =>
        {
            void Choice(CookieConsentAction action, DateTimeOffset at) => db.Add(new CookieConsentRecord
            {
                ConsentId = Guid.NewGuid(),
                Categories = action == CookieConsentAction.RejectAll ? "necessary" : "necessary analytics",
                Action = action,
                PolicyRevision = "test",
                GivenAt = at,
                RecordedAt = at,
            });
            var september = new DateTimeOffset(2026, 9, 15, 10, 0, 0, TimeSpan.Zero);
            Choice(CookieConsentAction.AcceptAll, september);
            Choice(CookieConsentAction.AcceptAll, september);
            Choice(CookieConsentAction.AcceptAll, september);
            Choice(CookieConsentAction.RejectAll, september);
            Choice(CookieConsentAction.AcceptAll, new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero));
            Choice(CookieConsentAction.RejectAll, new DateTimeOffset(2026, 10, 31, 23, 59, 59, TimeSpan.Zero));
            Choice(CookieConsentAction.Choose, new DateTimeOffset(2026, 10, 12, 0, 0, 0, TimeSpan.Zero));
            // Carrying a choice to an account at sign-in is no new choice.
            Choice(CookieConsentAction.LinkedToAccount, new DateTimeOffset(2026, 10, 12, 0, 0, 0, TimeSpan.Zero));
            Choice(CookieConsentAction.RejectAll, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
            // Older than the report's twelve months.
            Choice(CookieConsentAction.AcceptAll, new DateTimeOffset(2025, 11, 30, 23, 59, 59, TimeSpan.Zero));

            var version = await db.Set<MarketingPreferenceRecord>().Where(p => p.SubjectId == kariId && p.Kind == PreferenceKind.Newsletter).MaxAsync(p => p.Version);
            void Newsletter(bool enabled, DateTimeOffset at) => db.Add(new MarketingPreferenceRecord
            {
                SubjectId = kariId,
                ControllerId = "innore-no",
                Kind = PreferenceKind.Newsletter,
                Target = PreferenceKey.NewsletterTarget,
                Version = ++version,
                Enabled = enabled,
                Actor = PreferenceActorKind.Person,
                Channel = PreferenceChannel.Portal,
                PolicyRevision = "test",
                OccurredAt = at,
            });
            Newsletter(false, new DateTimeOffset(2026, 10, 3, 8, 0, 0, TimeSpan.Zero));
            Newsletter(true, new DateTimeOffset(2026, 10, 9, 8, 0, 0, TimeSpan.Zero));
            Newsletter(false, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

            db.Add(new RecipientTask { StoreId = "innore-no", SubjectId = kariId, Kind = RecipientTaskKind.Erasure, CreatedAt = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero) });
            db.Add(new RecipientTask { StoreId = "innore-no", SubjectId = kariId, Kind = RecipientTaskKind.Erasure, CreatedAt = new DateTimeOffset(2026, 11, 9, 9, 0, 0, TimeSpan.Zero) });
            db.Add(new RecipientTask { StoreId = "innore-eu", SubjectId = kariId, Kind = RecipientTaskKind.Rectification, CreatedAt = new DateTimeOffset(2026, 11, 9, 9, 0, 0, TimeSpan.Zero), AcknowledgedAt = PortalHost.DefaultNow });
            // Recipients outside the stores, told by staff: one still to tell, one told.
            db.Add(new ManualRecipientTask { RequestId = requestId, SubjectId = kariId, RecipientId = "logistics", Kind = RecipientTaskKind.Erasure, CreatedAt = new DateTimeOffset(2026, 11, 10, 9, 0, 0, TimeSpan.Zero) });
            db.Add(new ManualRecipientTask { RequestId = requestId, SubjectId = kariId, RecipientId = "it-providers", Kind = RecipientTaskKind.Erasure, CreatedAt = new DateTimeOffset(2026, 11, 10, 9, 0, 0, TimeSpan.Zero), DoneAt = PortalHost.DefaultNow, DoneNote = "Emailed." });
            await db.SaveChangesAsync();
        });

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var page = await dpo.GetPageAsync("/staff/reports");

        var cookies = Table(page, "#cookie-choices");
        Assert.Equal(["September 2026", "3 (75%)", "1 (25%)", "0 (0%)", "4"], cookies["September 2026"]);
        // The demo data adds Mari's own choice of 24 October (analytics only).
        Assert.Equal(["October 2026", "1 (25%)", "1 (25%)", "2 (50%)", "4"], cookies["October 2026"]);
        Assert.Equal(["November 2026", "0 (0%)", "1 (100%)", "0 (0%)", "1"], cookies["November 2026"]);
        Assert.Equal(["December 2025", "0 (–)", "0 (–)", "0 (–)", "0"], cookies["December 2025"]);

        var unsubscribes = Table(page, "#unsubscribes");
        Assert.Equal(["Month", "Innore OÜ", "INNORE AS", "Total"], page.QuerySelectorAll("#unsubscribes thead th").Select(th => th.TextContent.Trim()));
        Assert.Equal(["October 2026", "0", "1", "1"], unsubscribes["October 2026"]);
        Assert.Equal(["November 2026", "0", "1", "1"], unsubscribes["November 2026"]);

        var tasks = page.QuerySelectorAll("#open-tasks tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(2, tasks.Count);
        Assert.Equal(["www.innore.no", "Store confirms through the API", "Erasure", "2"], tasks[0].Take(4));
        Assert.Contains("2026", tasks[0][4], StringComparison.Ordinal);
        Assert.Equal(["Logistics and delivery providers", "Staff tell it by hand", "Erasure", "1"], tasks[1].Take(4));
    }

    [Fact]
    public async Task Support_staff_cannot_see_the_reports_and_nothing_is_recorded_as_viewed()
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);

        using var response = await support.GetAsync("/staff/reports");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "staff.viewed-reports")));
    }

    [Theory]
    [InlineData(new int[0], null)]
    [InlineData(new[] { 10 }, 10.0)]
    [InlineData(new[] { 10, 10, 45 }, 10.0)]
    [InlineData(new[] { 10, 10, 45, 46 }, 27.5)]
    [InlineData(new[] { 1, 2, 2, 2, 9, 30 }, 2.0)]
    public void The_median_comes_from_the_grouped_day_counts(int[] days, double? median)
    {
        var histogram = days.GroupBy(d => d).Select(g => (g.Key, g.Count()));

        Assert.Equal(median, GetPrivacyReportQuery.Median(histogram));
    }

    [Theory]
    [InlineData("en", "Dec Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov")]
    [InlineData("nb", "des jan feb mar apr mai jun jul aug sep okt nov")]
    [InlineData("et", "dets _ veebr _ apr _ juuni _ aug _ okt _")]
    public void Month_names_that_would_run_into_each_other_on_a_phone_are_shown_for_every_other_month(string culture, string expected)
    {
        var months = Enumerable.Range(0, 12).Select(i => new DateOnly(2025, 12, 1).AddMonths(i)).ToList();
        using var scope = new PrivacyPortal.Infrastructure.Localization.CultureScope(System.Globalization.CultureInfo.GetCultureInfo(culture));

        var chart = new StackedBarChart("test", months, [new ChartSeries("A", [.. months.Select(_ => 1.0)])]);

        Assert.Equal(expected, string.Join(' ', chart.MonthLabels.Select(l => l.Month.Length == 0 ? "_" : l.Month)));
        // The first month's year would run into January's right beside it: only January's is shown.
        Assert.Equal([(1, "2026")], chart.MonthLabels.Select((l, i) => (i, l.Year)).Where(l => l.Year is not null));
    }

    /// <summary>The rows of a report table by their first cell, each as all its cells' text.</summary>
    private static Dictionary<string, string[]> Table(IDocument page, string selector)
    {
        var table = page.QuerySelector(selector);
        Assert.NotNull(table);
        return table.QuerySelectorAll("tbody tr")
            .Select(tr => tr.Children.Select(c => c.TextContent.Trim()).ToArray())
            .ToDictionary(cells => cells[0]);
    }
}
