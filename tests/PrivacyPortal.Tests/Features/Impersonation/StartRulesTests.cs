using System.Net;
using System.Text.Json;
using System.IO.Compression;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Impersonation;

/// <summary>Who may start a view as customer, of whom, how often, with what input, and what the customer is told.</summary>
public sealed class StartRulesTests
{
    [Fact]
    public async Task A_customer_an_admin_without_support_or_privacy_officer_and_a_half_signed_in_staff_member_cannot_start_one()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        const string adminEmail = "admin.only@innore.example";
        using (var scope = host.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<DataSubject>>();
            var account = new DataSubject { Id = Guid.NewGuid(), UserName = adminEmail, Email = adminEmail, DisplayName = "Ada Admin", Kind = AccountKind.Staff, CreatedAt = PortalHost.DefaultNow };
            Assert.True((await users.CreateAsync(account)).Succeeded);
            Assert.True((await users.AddToRoleAsync(account, StaffRoles.Admin)).Succeeded);
        }

        var url = $"/staff/people/{kariId}?handler=ViewAs";
        KeyValuePair<string, string>[] fields = [new("Input.Reason", ImpersonationFlows.Reason), new("Input.Ticket", ImpersonationFlows.Ticket)];

        using var mari = await host.SignInAsync(PortalHost.Mari);
        using (var response = await mari.PostFormAsync(url, [.. fields, new(HtmlForm.AntiforgeryFieldName, await TokenAsync(mari, "/en/my-data"))]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        using var linkOnly = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
        using (var response = await linkOnly.PostFormAsync(url, [.. fields, new(HtmlForm.AntiforgeryFieldName, await TokenAsync(linkOnly, "/en/my-data"))]))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/staff/second-factor", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var admin = await host.StaffAsync(adminEmail);
        var page = await admin.GetPageAsync($"/staff/people/{kariId}");
        Assert.Null(page.QuerySelector("#view-as-form"));
        Assert.Contains("Only Support and PrivacyOfficer members can view as a customer.", page.Body!.TextContent, StringComparison.Ordinal);
        using (var response = await admin.PostFormAsync(url, [.. fields, new(HtmlForm.AntiforgeryFieldName, await TokenAsync(admin, $"/staff/people/{kariId}"))]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(0, await host.DbAsync(db => db.Set<ImpersonationSession>().CountAsync()));
        Assert.Null(admin.GetCookie("pp.imp"));
    }

    [Fact]
    public async Task Staff_accounts_cannot_be_viewed_as_and_a_second_view_while_one_is_open_is_refused()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var dpoId = await host.UserIdAsync(PortalHost.Dpo);
        using var support = await host.StaffAsync(PortalHost.Support);

        var dpoPage = await support.GetPageAsync($"/staff/people/{dpoId}");
        Assert.Null(dpoPage.QuerySelector("#view-as-form"));
        using (var response = await support.PostFormAsync($"/staff/people/{dpoId}?handler=ViewAs",
            [new("Input.Reason", "x"), new("Input.Ticket", "y"), new(HtmlForm.AntiforgeryFieldName, await TokenAsync(support, "/staff"))]))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Contains("Staff accounts cannot be viewed as a customer.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await host.DbAsync(db => db.Set<ImpersonationSession>().CountAsync()));

        // The same staff member in a second browser, while the first one views as Kari.
        using var otherBrowser = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        using (var nested = await ImpersonationFlows.StartAsync(otherBrowser, mariId))
        {
            Assert.Equal(HttpStatusCode.Conflict, nested.StatusCode);
            Assert.Contains("You are already viewing as a customer.", await nested.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // In the browser that views as Kari the staff area is closed, so a nested start cannot even be sent.
        using (var inside = await support.PostFormAsync($"/staff/people/{mariId}?handler=ViewAs",
            [new("Input.Reason", "x"), new("Input.Ticket", "y"), new(HtmlForm.AntiforgeryFieldName, await TokenAsync(support, "/nb/my-data"))]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, inside.StatusCode);
            Assert.Contains("impersonation-refused", await inside.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var rows = await host.DbAsync(db => db.Set<ImpersonationSession>().AsNoTracking().ToListAsync());
        Assert.Equal(kariId, Assert.Single(rows).CustomerId);
    }

    [Fact]
    public async Task Reason_and_ticket_are_required_and_limited_with_clear_messages()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);

        using (var empty = await ImpersonationFlows.StartAsync(support, kariId, reason: "  ", ticket: ""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            var html = await empty.Content.ReadAsStringAsync();
            Assert.Contains("Give a reason: the customer will see it.", html, StringComparison.Ordinal);
            Assert.Contains("Give the ticket reference of the support case.", html, StringComparison.Ordinal);
        }

        using (var tooLong = await ImpersonationFlows.StartAsync(support, kariId, reason: new string('r', 501), ticket: new string('t', 65)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
            var html = await tooLong.Content.ReadAsStringAsync();
            Assert.Contains("The reason can be at most 500 characters.", html, StringComparison.Ordinal);
            Assert.Contains("The ticket reference can be at most 64 characters.", html, StringComparison.Ordinal);
        }

        Assert.Equal(0, await host.DbAsync(db => db.Set<ImpersonationSession>().CountAsync()));
        Assert.Null(support.GetCookie("pp.imp"));
    }

    [Fact]
    public async Task An_admin_switches_the_feature_off_which_is_audited_ends_open_views_and_refuses_new_ones()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var dpoId = await host.UserIdAsync(PortalHost.Dpo);
        using var support = await host.StaffAsync(PortalHost.Support);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var myData = await ImpersonationFlows.StartedAsync(support, kariId);

        // Support is no Admin.
        using var other = await host.StaffAsync(PortalHost.Support);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/staff/settings/impersonation")).StatusCode);

        var form = await PortalHost.FormAsync(dpo, "/staff/settings/impersonation", "#impersonation-setting-form");
        using (var off = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
            var page = await PortalHost.FollowAsync(dpo, off);
            Assert.Contains("View as customer is now off.", page.Body!.TextContent, StringComparison.Ordinal);
        }

        var audit = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == ImpersonationSwitch.ChangedAction));
        Assert.Equal(dpoId, audit.ActorId);
        Assert.Equal("disabled", audit.Detail);

        // The open view ended with it.
        using (var ended = await support.GetAsync(myData))
        {
            Assert.Equal(HttpStatusCode.SeeOther, ended.StatusCode);
            Assert.StartsWith($"/staff/people/{kariId}?ended=", ended.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        var person = await support.GetPageAsync($"/staff/people/{kariId}");
        Assert.Null(person.QuerySelector("#view-as-form"));
        Assert.Contains("switched off by an administrator", person.Body!.TextContent, StringComparison.Ordinal);
        using (var refused = await support.PostFormAsync($"/staff/people/{kariId}?handler=ViewAs",
            [new("Input.Reason", "x"), new("Input.Ticket", "y"), new(HtmlForm.AntiforgeryFieldName, await TokenAsync(support, "/staff"))]))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }

        Assert.Equal(1, await host.DbAsync(db => db.Set<ImpersonationSession>().CountAsync()));
        Assert.Equal("false", await host.DbAsync(db => db.Set<PortalSetting>().Where(s => s.Key == ImpersonationSwitch.Key).Select(s => s.Value).SingleAsync()));
    }

    [Fact]
    public async Task The_customer_gets_an_email_in_their_language_and_the_view_in_their_export()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        var myData = await ImpersonationFlows.StartedAsync(support, kariId);

        var mail = await host.NextMailAsync(PortalHost.Kari, m => m.Subject == "Kundeservice ser på kontoen din");
        Assert.Contains("Siri Support fra kundeservice begynte å se personvernportalen", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(ImpersonationFlows.Reason, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains(ImpersonationFlows.Ticket, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("30 minutter", mail.TextBody, StringComparison.Ordinal);
        Assert.EndsWith("/nb/my-data#staff-access", mail.FindLink("/my-data").ToString(), StringComparison.Ordinal);

        host.Factory.Clock.Advance(TimeSpan.FromMinutes(12));
        using (await ImpersonationFlows.StopAsync(support, myData))
        {
        }

        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var page = await kari.GetPageAsync("/nb/my-data");
        var list = page.QuerySelector("#staff-access")!;
        Assert.Contains("Tilgang fra kundeservice", list.TextContent, StringComparison.Ordinal);
        Assert.Contains("Siri Support", list.TextContent, StringComparison.Ordinal);
        Assert.Contains("12 min", list.TextContent, StringComparison.Ordinal);
        Assert.Contains("sak CS-1042", list.TextContent, StringComparison.Ordinal);

        using var export = await HtmlForm.From(kari, page, "form[action='/nb/my-data/export']").SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        await using var stream = await export.Content.ReadAsStreamAsync();
        using var zip = new ZipArchive(stream);
        using var json = JsonDocument.Parse(zip.GetEntry("data.json")!.Open());
        var access = Assert.Single(json.RootElement.GetProperty("staffAccess").EnumerateArray());
        Assert.Equal("Siri Support", access.GetProperty("staff").GetString());
        Assert.Equal(12, access.GetProperty("minutes").GetInt32());
        Assert.Equal(ImpersonationFlows.Reason, access.GetProperty("reason").GetString());
        Assert.Equal(ImpersonationFlows.Ticket, access.GetProperty("ticket").GetString());
    }

    [Fact]
    public async Task No_email_when_the_setting_turns_notification_off()
    {
        using var host = new PortalHost(configure: f => f.With("Impersonation:NotifyCustomer", "false"));
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        Assert.Empty(await host.MailsToAsync(PortalHost.Kari));
    }

    private static async Task<string> TokenAsync(CookieAwareClient client, string url) =>
        (await client.GetPageAsync(url)).QuerySelector("meta[name=request-verification-token]")!.GetAttribute("content")!;
}
