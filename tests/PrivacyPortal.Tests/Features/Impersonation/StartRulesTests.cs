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

    [Fact]
    public async Task Simultaneous_starts_by_one_staff_member_open_one_view_and_refuse_the_rest_clearly()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var olaId = await host.UserIdAsync(PortalHost.Ola);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        // Two browsers of the same staff member, two tabs each, all pressing "View as customer" at once.
        Guid[] customers = [kariId, mariId, olaId, kariId];
        var browsers = new List<CookieAwareClient> { await host.StaffAsync(PortalHost.Support), await host.StaffAsync(PortalHost.Support) };
        var forms = new List<HtmlForm>();
        for (var i = 0; i < customers.Length; i++)
        {
            forms.Add((await PortalHost.FormAsync(browsers[i % 2], $"/staff/people/{customers[i]}", "#view-as-form"))
                .Set("Input.Reason", ImpersonationFlows.Reason).Set("Input.Ticket", ImpersonationFlows.Ticket));
        }

        try
        {
            var responses = await Task.WhenAll(forms.Select(f => f.SubmitAsync()));
            Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Redirect));
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Redirect))
            {
                Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
                Assert.Contains("You are already viewing as a customer.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var open = await host.DbAsync(db => db.Set<ImpersonationSession>().AsNoTracking().Where(s => s.EndedAt == null).ToListAsync());
            Assert.Equal(supportId, Assert.Single(open).StaffId);
            Assert.Equal(1, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == StartImpersonationCommand.StartedAction)));
            Assert.Equal(3, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == StartImpersonationCommand.StartRefusedAction && e.Detail!.Contains("refused=AlreadyImpersonating"))));
            // One notice, to the one customer whose view started.
            Assert.Single(await host.DbAsync(db => db.Set<OutboxMessage>().Where(m => m.Kind == "impersonation-started").ToListAsync()));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task The_database_holds_at_most_one_open_view_per_staff_member_and_a_lapsed_one_does_not_block_the_next()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        ImpersonationSession Open(Guid customer) => new()
        {
            Id = Guid.NewGuid(), StaffId = supportId, StaffName = "Siri Support", StaffSessionId = Guid.NewGuid(), CustomerId = customer,
            Reason = "r", Ticket = "t", StartedAt = PortalHost.DefaultNow.AddHours(-2), ExpiresAt = PortalHost.DefaultNow.AddHours(-1.5),
        };

        await host.DbAsync(async db =>
        {
            db.Add(Open(kariId));
            await db.SaveChangesAsync();
        });
        var second = await Assert.ThrowsAsync<DbUpdateException>(() => host.DbAsync(async db =>
        {
            db.Add(Open(mariId));
            await db.SaveChangesAsync();
        }));
        Assert.True(DbErrors.IsUniqueViolation(second));

        // The first one ran out an hour and a half ago without anyone ending it (the browser was closed).
        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, mariId);
        var rows = await host.DbAsync(db => db.Set<ImpersonationSession>().AsNoTracking().OrderBy(s => s.StartedAt).ToListAsync());
        Assert.Equal(2, rows.Count);
        Assert.Equal(ImpersonationEnd.Expired, rows[0].EndedBy);
        Assert.Equal(rows[0].ExpiresAt, rows[0].EndedAt);
        Assert.Equal(mariId, rows[1].CustomerId);
        Assert.Null(rows[1].EndedAt);
    }

    [Fact]
    public async Task Each_refused_start_is_audited_under_the_staff_member_with_why_the_target_and_the_reason_given()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var dpoId = await host.UserIdAsync(PortalHost.Dpo);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        const string adminEmail = "admin.only@innore.example";
        Guid adminId;
        using (var scope = host.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<DataSubject>>();
            var account = new DataSubject { Id = Guid.NewGuid(), UserName = adminEmail, Email = adminEmail, DisplayName = "Ada Admin", Kind = AccountKind.Staff, CreatedAt = PortalHost.DefaultNow };
            Assert.True((await users.CreateAsync(account)).Succeeded);
            Assert.True((await users.AddToRoleAsync(account, StaffRoles.Admin)).Succeeded);
            adminId = account.Id;
        }

        using var admin = await host.StaffAsync(adminEmail);
        using (var noRole = await admin.PostFormAsync($"/staff/people/{kariId}?handler=ViewAs",
            [new("Input.Reason", "admin tries"), new("Input.Ticket", "CS-1"), new(HtmlForm.AntiforgeryFieldName, await TokenAsync(admin, $"/staff/people/{kariId}"))]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        }

        using var support = await host.StaffAsync(PortalHost.Support);
        using (var staffTarget = await support.PostFormAsync($"/staff/people/{dpoId}?handler=ViewAs",
            [new("Input.Reason", "looking at a colleague"), new("Input.Ticket", "CS-2"), new(HtmlForm.AntiforgeryFieldName, await TokenAsync(support, "/staff"))]))
        {
            Assert.Equal(HttpStatusCode.Conflict, staffTarget.StatusCode);
        }

        using var otherBrowser = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        using (var nested = await ImpersonationFlows.StartAsync(otherBrowser, mariId, reason: "second view", ticket: "CS-3"))
        {
            Assert.Equal(HttpStatusCode.Conflict, nested.StatusCode);
        }

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        using (await (await PortalHost.FormAsync(dpo, "/staff/settings/impersonation", "#impersonation-setting-form")).SubmitAsync())
        {
        }

        using (var off = await otherBrowser.PostFormAsync($"/staff/people/{mariId}?handler=ViewAs",
            [new("Input.Reason", "while off"), new("Input.Ticket", "CS-4"), new(HtmlForm.AntiforgeryFieldName, await TokenAsync(otherBrowser, "/staff"))]))
        {
            Assert.Equal(HttpStatusCode.Conflict, off.StatusCode);
        }

        var refusals = await host.DbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == StartImpersonationCommand.StartRefusedAction).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(
            [
                (adminId, kariId, $"refused=NotAllowed target={kariId} ticket=CS-1 reason=admin tries"),
                (supportId, dpoId, $"refused=StaffTarget target={dpoId} ticket=CS-2 reason=looking at a colleague"),
                (supportId, mariId, $"refused=AlreadyImpersonating target={mariId} ticket=CS-3 reason=second view"),
                (supportId, mariId, $"refused=FeatureOff target={mariId} ticket=CS-4 reason=while off"),
            ],
            refusals.Select(e => (e.ActorId ?? Guid.Empty, e.SubjectId ?? Guid.Empty, e.Detail ?? "")));
        Assert.Equal(1, await host.DbAsync(db => db.Set<ImpersonationSession>().CountAsync()));
    }

    private static async Task<string> TokenAsync(CookieAwareClient client, string url) =>
        (await client.GetPageAsync(url)).QuerySelector("meta[name=request-verification-token]")!.GetAttribute("content")!;
}
