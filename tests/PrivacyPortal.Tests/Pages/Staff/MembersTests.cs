using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

public sealed class MembersTests
{
    [Fact]
    public async Task The_privacy_officer_invites_a_new_member_who_enrols_through_the_mailed_link_once()
    {
        using var host = new PortalHost();
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var form = await PortalHost.FormAsync(dpo, "/staff/members", "#invite-form");
        form.Set("Input.Email", "new.agent@innore.example");
        form.Set("Input.Name", "Nora Agent");
        form.Set("Input.Role", "Support");
        using (var response = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var mail = await host.NextMailAsync("new.agent@innore.example", m => m.TryFindLink("/staff/second-factor") is not null);
        var link = mail.FindLink("/staff/second-factor");
        var token = System.Web.HttpUtility.ParseQueryString(link.Query)["invitation"]!;
        var stored = await host.DbAsync(db => db.Set<StaffInvitation>().AsNoTracking().SingleAsync(i => i.TokenHash == MagicLinkSecrets.HashToken(token)));
        Assert.Equal(host.Factory.Clock.GetUtcNow().AddDays(1), stored.ExpiresAt);
        Assert.False(await host.DbAsync(db => db.Set<StaffInvitation>().AnyAsync(i => i.TokenHash == token)));

        using var agent = await host.SignInLinkOnlyStaffAsync("new.agent@innore.example");
        var enrol = await agent.GetPageAsync(link.PathAndQuery);
        Assert.NotNull(enrol.QuerySelector("#authenticator-key"));
        var code = HtmlForm.From(agent, enrol, "#second-factor-form");
        code.Set("Code", Totp.NextCode(await host.AuthenticatorKeyAsync("new.agent@innore.example"), host.Factory.Clock.GetUtcNow()));
        using (var response = await code.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var audit = await host.DbAsync(db => db.AuditEvents.Select(e => e.Action).ToListAsync());
        Assert.Contains(StaffAudit.Actions.InvitedStaff, audit);
        Assert.Contains(StaffAudit.Actions.EnrolledAuthenticator, audit);
    }

    [Fact]
    public async Task On_a_new_installation_the_operator_invites_the_first_privacy_officer_from_the_command_line()
    {
        using var host = new PortalHost(configure: f => f.With("Portal:SeedDemoData", "false"));
        Assert.False(await host.DbAsync(db => db.Users.AnyAsync()));

        Assert.Equal(2, await RunCommandAsync(host, "staff", "invite", "first.dpo@innore.example"));
        Assert.Equal(1, await RunCommandAsync(host, "staff", "invite", "first.dpo@innore.example", "Owner"));
        Assert.Equal(1, await RunCommandAsync(host, "staff", "invite", "not an address", "PrivacyOfficer"));
        Assert.False(await host.DbAsync(db => db.Users.AnyAsync()));

        var output = new StringWriter();
        using (var scope = host.Factory.Services.CreateScope())
        {
            Assert.Equal(0, await StaffCommandLine.RunAsync(scope.ServiceProvider, ["staff", "invite", "first.dpo@innore.example", "PrivacyOfficer", "Frida Vik"], output, CancellationToken.None));
        }

        var mail = await host.NextMailAsync("first.dpo@innore.example", m => m.TryFindLink("/staff/second-factor") is not null);
        var link = mail.FindLink("/staff/second-factor");
        var token = System.Web.HttpUtility.ParseQueryString(link.Query)["invitation"]!;
        Assert.DoesNotContain(token, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("The portal's operator invited you", mail.TextBody, StringComparison.Ordinal);
        var invited = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == StaffAudit.Actions.InvitedStaff));
        Assert.Equal((null, "role PrivacyOfficer, by the operator's command line"), (invited.ActorId, invited.Detail));

        using var officer = await host.SignInLinkOnlyStaffAsync("first.dpo@innore.example");
        var enrol = HtmlForm.From(officer, await officer.GetPageAsync(link.PathAndQuery), "#second-factor-form");
        enrol.Set("Code", Totp.NextCode(await host.AuthenticatorKeyAsync("first.dpo@innore.example"), host.Factory.Clock.GetUtcNow()));
        using (var response = await enrol.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        // The first privacy officer invites the rest of the team from the staff members page.
        Assert.NotNull((await officer.GetPageAsync("/staff/members")).QuerySelector("#invite-form"));
        Assert.Equal(1, await RunCommandAsync(host, "staff", "invite", "first.dpo@innore.example", "PrivacyOfficer"));
    }

    private static async Task<int> RunCommandAsync(PortalHost host, params string[] args)
    {
        using var scope = host.Factory.Services.CreateScope();
        return await StaffCommandLine.RunAsync(scope.ServiceProvider, args, TextWriter.Null, CancellationToken.None);
    }

    [Fact]
    public async Task Resetting_an_authenticator_signs_the_member_out_is_audited_and_mails_them_a_new_invitation()
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var page = await dpo.GetPageAsync("/staff/members");
        var row = page.QuerySelectorAll("#staff-members tr").Single(r => r.GetAttribute("data-email") == PortalHost.Support);
        var reset = HtmlForm.From(dpo, page, $"#staff-members tr[data-email='{PortalHost.Support}'] form");
        Assert.NotNull(row);
        using (var response = await reset.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        using (var closed = await support.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.Redirect, closed.StatusCode);
        }

        var supportId = await host.UserIdAsync(PortalHost.Support);
        var line = await host.DbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == StaffAudit.Actions.ResetAuthenticator));
        Assert.Equal(supportId, line.SubjectId);
        Assert.Equal(await host.UserIdAsync(PortalHost.Dpo), line.ActorId);
        var mail = await host.NextMailAsync(PortalHost.Support, m => m.TryFindLink("/staff/second-factor") is not null);
        Assert.Contains("Peeter Privaatsus", mail.TextBody, StringComparison.Ordinal);
        Assert.False(await host.DbAsync(db => db.Users.Where(u => u.Id == supportId).Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    [Fact]
    public async Task Support_staff_cannot_open_the_staff_members_page()
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);
        using var response = await support.GetAsync("/staff/members");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
