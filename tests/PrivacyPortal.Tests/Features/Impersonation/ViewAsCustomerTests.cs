using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Impersonation;

/// <summary>A Support member views the portal as Kari: banner, audit, the customer's list, Stop, expiry, and Kari's own session.</summary>
public sealed class ViewAsCustomerTests
{
    [Fact]
    public async Task Support_sees_the_portal_as_the_customer_with_a_banner_on_every_page_and_stop_returns_to_the_staff_page()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);

        var myData = await ImpersonationFlows.StartedAsync(support, kariId);
        Assert.Equal("/nb/my-data", myData);

        var page = await support.GetPageAsync(myData);
        var banner = page.QuerySelector("#impersonation-banner");
        Assert.NotNull(banner);
        Assert.Contains("Kari Nordmann", banner.TextContent, StringComparison.Ordinal);
        // The banner is in the staff member's language (their staff pages' English), on Kari's Norwegian page.
        Assert.Contains("You are viewing the portal as Kari Nordmann.", banner.TextContent, StringComparison.Ordinal);
        Assert.Equal("en", banner.GetAttribute("lang"));
        Assert.Equal("nb", page.DocumentElement.GetAttribute("lang"));
        // Staff see their own zone: the group's (Europe/Tallinn) until their browser tells it.
        Assert.Contains("23 November 2026", banner.TextContent, StringComparison.Ordinal);
        Assert.Contains("11:00", banner.TextContent, StringComparison.Ordinal);
        Assert.Contains("11:30", banner.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", banner.TextContent, StringComparison.Ordinal);
        Assert.NotNull(banner.QuerySelector("form[method=post] button[type=submit]"));
        // The customer's own data, not the staff member's.
        Assert.Contains("Storgata 12", page.Body!.TextContent, StringComparison.Ordinal);
        // The customer's list already shows this view, as ongoing.
        var list = page.QuerySelector("#staff-access")!;
        Assert.Contains("Siri Support", list.TextContent, StringComparison.Ordinal);
        Assert.Contains(ImpersonationFlows.Reason, list.TextContent, StringComparison.Ordinal);

        // Every page, whatever it is: start page, requests, another language, a 404.
        foreach (var url in new[] { "/nb/", "/nb/requests", "/en/my-data", "/et/requests/new" })
        {
            var other = await support.GetPageAsync(url);
            Assert.NotNull(other.QuerySelector("#impersonation-banner"));
        }

        using (var missing = await support.GetAsync("/nb/no-such-page"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("impersonation-banner", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var stopped = await ImpersonationFlows.StopAsync(support, "/nb/requests");
        Assert.Equal(HttpStatusCode.Redirect, stopped.StatusCode);
        Assert.Equal($"/staff/people/{kariId}?ended=stopped", stopped.Headers.Location!.OriginalString);
        var back = await PortalHost.FollowAsync(support, stopped);
        Assert.Null(back.QuerySelector("#impersonation-banner"));
        Assert.Contains("You stopped viewing as the customer.", back.Body!.TextContent, StringComparison.Ordinal);
        // The staff session is intact: the staff area works, and my-data is the staff member's own again.
        using (var queue = await support.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        var own = await support.GetPageAsync("/en/my-data");
        Assert.DoesNotContain("Storgata 12", own.Body!.TextContent, StringComparison.Ordinal);

        var row = await host.DbAsync(db => db.Set<ImpersonationSession>().AsNoTracking().SingleAsync());
        Assert.Equal(ImpersonationEnd.Stopped, row.EndedBy);
        Assert.Equal(PortalHost.DefaultNow, row.EndedAt);
        Assert.Equal(PortalHost.DefaultNow.AddMinutes(30), row.ExpiresAt);

        // Kari's own session never noticed.
        var kariPage = await kari.GetPageAsync("/nb/my-data");
        Assert.Null(kariPage.QuerySelector("#impersonation-banner"));
        Assert.Equal(0, await host.DbAsync(db => db.Sessions.CountAsync(s => s.SubjectId == kariId && s.EndedAt != null)));
    }

    [Fact]
    public async Task Every_page_viewed_is_audited_under_the_staff_member_with_the_reason()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        using var support = await host.StaffAsync(PortalHost.Support);
        var myData = await ImpersonationFlows.StartedAsync(support, kariId);
        await support.GetPageAsync(myData);
        await support.GetPageAsync("/nb/requests");
        using (await ImpersonationFlows.StopAsync(support, myData))
        {
        }

        var impersonationId = await host.DbAsync(db => db.Set<ImpersonationSession>().Select(s => s.Id).SingleAsync());
        var events = await host.DbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action.StartsWith("impersonation."))
            .OrderBy(e => e.Id)
            .ToListAsync());
        Assert.True(events.Count == 5, string.Join("\n", events.Select(e => e.Action + " " + e.Detail)));
        Assert.Equal(
            ["impersonation.started", "impersonation.viewed", "impersonation.viewed", "impersonation.viewed", "impersonation.ended"],
            events.Select(e => e.Action));
        Assert.All(events, e =>
        {
            Assert.Equal(supportId, e.ActorId);
            Assert.Equal(kariId, e.SubjectId);
            Assert.Contains(impersonationId.ToString(), e.Detail, StringComparison.Ordinal);
        });
        var viewed = events.Where(e => e.Action == "impersonation.viewed").ToList();
        Assert.StartsWith("/nb/my-data ", viewed[0].Detail, StringComparison.Ordinal);
        Assert.StartsWith("/nb/requests ", viewed[1].Detail, StringComparison.Ordinal);
        Assert.All(viewed, e => Assert.Contains(ImpersonationFlows.Reason, e.Detail, StringComparison.Ordinal));
        Assert.Contains(ImpersonationFlows.Reason, events[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_HEAD_request_runs_the_page_and_is_audited_as_a_view()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);

        using var head = new HttpRequestMessage(HttpMethod.Head, "/nb/my-data?peek=1");
        using (var response = await support.Http.SendAsync(head))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var viewed = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == "impersonation.viewed").ToListAsync());
        var row = Assert.Single(viewed);
        Assert.Equal(supportId, row.ActorId);
        Assert.Equal(kariId, row.SubjectId);
        Assert.StartsWith("/nb/my-data?peek=1 ", row.Detail, StringComparison.Ordinal);
        Assert.Contains(ImpersonationFlows.Reason, row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_language_switch_with_preference_cookies_works_for_the_staff_member_and_leaves_the_customer_account_alone()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        // The staff browser allows preference cookies, so switching language writes the language cookie.
        using (await HtmlForm.From(support, await support.GetPageAsync("/en/"), "#cookie-banner form").SubmitAsync("#cookie-accept"))
        {
        }

        Assert.Equal("en", support.GetCookie("pp.lang"));
        var myData = await ImpersonationFlows.StartedAsync(support, kariId);
        var before = ImpersonationFlows.Snapshot(host);

        foreach (var (url, language) in new[] { (myData, "nb"), ("/et/my-data", "et"), ("/en/requests", "en") })
        {
            using var response = await support.GetAsync(url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: answered {(int)response.StatusCode}");
            Assert.DoesNotContain("id=\"impersonation-refused\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"impersonation-banner\"", html, StringComparison.Ordinal);
            Assert.Equal(language, support.GetCookie("pp.lang"));
        }

        Assert.Equal("nb", await host.DbAsync(db => db.Users.Where(u => u.Id == kariId).Select(u => u.PreferredCulture).SingleAsync()));
        Assert.Equal(before, ImpersonationFlows.Snapshot(host));
        Assert.Equal(0, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == ImpersonationGuard.RefusedAction)));
    }

    [Fact]
    public async Task It_ends_by_itself_after_thirty_minutes_on_the_server_clock_and_returns_to_the_staff_area()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        var myData = await ImpersonationFlows.StartedAsync(support, kariId);

        host.Factory.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull((await support.GetPageAsync(myData)).QuerySelector("#impersonation-banner"));
        // Kari uses the portal meanwhile, so her own session does not idle out.
        await kari.GetPageAsync("/en/my-data");

        host.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        using var expired = await support.GetAsync(myData);
        Assert.Equal(HttpStatusCode.SeeOther, expired.StatusCode);
        Assert.Equal($"/staff/people/{kariId}?ended=expired", expired.Headers.Location!.OriginalString);
        var back = await PortalHost.FollowAsync(support, expired);
        Assert.Contains("reached its time limit", back.Body!.TextContent, StringComparison.Ordinal);
        Assert.Null(back.QuerySelector("#impersonation-banner"));

        var row = await host.DbAsync(db => db.Set<ImpersonationSession>().AsNoTracking().SingleAsync());
        Assert.Equal(ImpersonationEnd.Expired, row.EndedBy);
        Assert.Equal(row.ExpiresAt, row.EndedAt);

        // The staff member is back in their own session; the customer sees 30 minutes in her list.
        Assert.Equal(HttpStatusCode.OK, (await support.GetAsync("/staff")).StatusCode);
        var own = await kari.GetPageAsync("/en/my-data");
        var list = own.QuerySelector("#staff-access")!;
        Assert.Contains("30 min", list.TextContent, StringComparison.Ordinal);
        Assert.Null(own.QuerySelector("#impersonation-banner"));
    }

    [Fact]
    public async Task A_shorter_configured_duration_is_used_and_a_longer_one_is_refused_at_start_up()
    {
        using (var host = new PortalHost(configure: f => f.With("Impersonation:MaxDuration", "00:10:00")))
        {
            var kariId = await host.UserIdAsync(PortalHost.Kari);
            using var support = await host.StaffAsync(PortalHost.Support);
            await ImpersonationFlows.StartedAsync(support, kariId);
            var row = await host.DbAsync(db => db.Set<ImpersonationSession>().AsNoTracking().SingleAsync());
            Assert.Equal(TimeSpan.FromMinutes(10), row.ExpiresAt - row.StartedAt);
        }

        var error = Assert.ThrowsAny<Exception>(() => new PortalHost(configure: f => f.With("Impersonation:MaxDuration", "00:31:00")).Dispose());
        Assert.Contains("MaxDuration", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_are_shown_to_the_customer_by_initials_when_the_setting_says_so()
    {
        using var host = new PortalHost(configure: f => f.With("Impersonation:ShowStaffAs", "Initials"));
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        var myData = await ImpersonationFlows.StartedAsync(support, kariId);
        using (await ImpersonationFlows.StopAsync(support, myData))
        {
        }

        using var kari = await host.SignInAsync(PortalHost.Kari);
        var list = (await kari.GetPageAsync("/en/my-data")).QuerySelector("#staff-access")!;
        Assert.Contains("S. S.", list.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Siri", list.TextContent, StringComparison.Ordinal);
        Assert.Contains("1 min", list.TextContent, StringComparison.Ordinal);
    }
}
