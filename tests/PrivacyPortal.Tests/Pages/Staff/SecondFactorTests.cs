using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

public sealed class SecondFactorTests
{
    [Fact]
    public async Task A_staff_member_without_an_invitation_sees_no_key_and_cannot_enrol()
    {
        using var host = new PortalHost();
        using var client = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
        var page = await client.GetPageAsync("/staff/second-factor?returnUrl=%2Fstaff");
        Assert.NotNull(page.QuerySelector("#needs-invitation"));
        Assert.Null(page.QuerySelector("#authenticator-key"));
        Assert.Null(page.QuerySelector("#second-factor-form"));

        var forged = await client.GetPageAsync("/staff/second-factor?returnUrl=%2Fstaff&invitation=" + new string('A', 43));
        Assert.Null(forged.QuerySelector("#authenticator-key"));
        Assert.False(await host.DbAsync(db => db.Users.Where(u => u.Email == PortalHost.Support).Select(u => u.TwoFactorEnabled).SingleAsync()));
    }

    [Fact]
    public async Task The_invitation_enrols_once_and_later_sign_ins_only_ask_for_a_new_code()
    {
        using var host = new PortalHost();
        var token = await host.InviteAsync(PortalHost.Support);
        using var first = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
        var page = await first.GetPageAsync(StaffEnrolment.EnrolmentPath(token));
        Assert.StartsWith("data:image/png;base64,", page.QuerySelector(".qr img")!.GetAttribute("src")!, StringComparison.Ordinal);
        var key = await host.AuthenticatorKeyAsync(PortalHost.Support);
        Assert.Equal(key.ToUpperInvariant(), page.QuerySelector("#authenticator-key")!.TextContent.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant());

        var form = HtmlForm.From(first, page, "#second-factor-form");
        var code = Totp.NextCode(key, host.Factory.Clock.GetUtcNow());
        form.Set("Code", code);
        using (var response = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/staff", response.Headers.Location!.OriginalString);
        }

        // The invitation is used up: the link no longer shows the key to anyone.
        using var other = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
        var again = await other.GetPageAsync(StaffEnrolment.EnrolmentPath(token));
        Assert.Null(again.QuerySelector("#authenticator-key"));
        var replay = HtmlForm.From(other, again, "#second-factor-form");
        replay.Set("Code", code);
        using (var response = await replay.SubmitAsync())
        {
            var shown = await CookieAwareClient.ParsePageAsync(response);
            Assert.Contains("That code is not right", shown.QuerySelector(".notice--error")!.TextContent, StringComparison.Ordinal);
        }

        var fresh = await PortalHost.FormAsync(other, "/staff/second-factor?returnUrl=%2Fstaff", "#second-factor-form");
        fresh.Set("Code", Totp.NextCode(key, host.Factory.Clock.GetUtcNow()));
        using (var response = await fresh.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var audit = await host.DbAsync(db => db.AuditEvents.Select(e => e.Action).ToListAsync());
        Assert.Single(audit, a => a == StaffAudit.Actions.EnrolledAuthenticator);
        Assert.Equal(2, audit.Count(a => a == StaffAudit.Actions.SignedInWithSecondFactor));
        Assert.Equal(1, audit.Count(a => a == StaffAudit.Actions.SecondFactorFailed));
    }

    [Fact]
    public async Task Forty_parallel_wrong_codes_count_forty_and_lock_the_account_even_for_the_right_code()
    {
        // The per-IP limit is tested on its own; here every attempt must reach the account's counter.
        using var host = new PortalHost(configure: f => f.With("Staff:SecondFactor:MaxAttemptsPerIpPer10Minutes", "1000"));
        using (await host.StaffAsync(PortalHost.Support))
        {
        }

        using var client = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
        var key = await host.AuthenticatorKeyAsync(PortalHost.Support);
        var forms = new List<HtmlForm>();
        for (var i = 0; i < 40; i++)
        {
            var form = await PortalHost.FormAsync(client, "/staff/second-factor?returnUrl=%2Fstaff", "#second-factor-form");
            form.Set("Code", Totp.Code(key, Totp.CurrentStep(host.Factory.Clock.GetUtcNow()) - 100 - i));
            forms.Add(form);
        }

        await Task.WhenAll(forms.Select(async f =>
        {
            using var response = await f.SubmitAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }));

        var id = await host.UserIdAsync(PortalHost.Support);
        var state = await host.DbAsync(db => db.Set<StaffAuthenticatorState>().AsNoTracking().SingleAsync(s => s.UserId == id));
        Assert.Equal(40, state.FailedCount);
        Assert.NotNull(state.LockedUntil);
        Assert.Equal(40, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == StaffAudit.Actions.SecondFactorFailed)));

        var right = await PortalHost.FormAsync(client, "/staff/second-factor?returnUrl=%2Fstaff", "#second-factor-form");
        right.Set("Code", Totp.NextCode(key, host.Factory.Clock.GetUtcNow()));
        using (var response = await right.SubmitAsync())
        {
            var shown = await CookieAwareClient.ParsePageAsync(response);
            Assert.Contains("Too many wrong codes", shown.QuerySelector(".notice--error")!.TextContent, StringComparison.Ordinal);
        }

        // After the lockout the right code works again.
        host.Factory.Clock.Advance(TimeSpan.FromMinutes(16));
        var later = await PortalHost.FormAsync(client, "/staff/second-factor?returnUrl=%2Fstaff", "#second-factor-form");
        later.Set("Code", Totp.NextCode(key, host.Factory.Clock.GetUtcNow()));
        using (var response = await later.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
    }

    [Fact]
    public async Task One_code_sent_by_two_sessions_at_once_signs_in_only_one()
    {
        using var host = new PortalHost();
        using (await host.StaffAsync(PortalHost.Support))
        {
        }

        var key = await host.AuthenticatorKeyAsync(PortalHost.Support);
        var code = Totp.NextCode(key, host.Factory.Clock.GetUtcNow());
        var clients = new List<CookieAwareClient>();
        var forms = new List<HtmlForm>();
        for (var i = 0; i < 6; i++)
        {
            var client = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
            clients.Add(client);
            var form = await PortalHost.FormAsync(client, "/staff/second-factor?returnUrl=%2Fstaff", "#second-factor-form");
            form.Set("Code", code);
            forms.Add(form);
        }

        var statuses = await Task.WhenAll(forms.Select(async f =>
        {
            using var response = await f.SubmitAsync();
            return response.StatusCode;
        }));
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Redirect));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Codes_from_one_network_are_limited_whatever_the_account()
    {
        using var host = new PortalHost(configure: f => f.With("Staff:SecondFactor:MaxAttemptsPerIpPer10Minutes", "3"));
        using (await host.StaffAsync(PortalHost.Support))
        {
        }

        using var client = await host.SignInLinkOnlyStaffAsync(PortalHost.Dpo);
        var token = await host.InviteAsync(PortalHost.Dpo);
        string? error = null;
        for (var i = 0; i < 3; i++)
        {
            var form = await PortalHost.FormAsync(client, StaffEnrolment.EnrolmentPath(token), "#second-factor-form");
            form.Set("Code", "000000");
            using var response = await form.SubmitAsync();
            error = (await CookieAwareClient.ParsePageAsync(response)).QuerySelector(".notice--error")!.TextContent;
        }

        Assert.Contains("Too many codes were tried from your network", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_return_address_after_the_second_factor_stays_inside_the_staff_area()
    {
        using var host = new PortalHost();
        using var client = await host.SignInLinkOnlyStaffAsync(PortalHost.Dpo);
        var token = await host.InviteAsync(PortalHost.Dpo);
        var form = await PortalHost.FormAsync(client, "/staff/second-factor?returnUrl=https%3A%2F%2Fevil.example%2F&invitation=" + token, "#second-factor-form");
        form.Set("Code", Totp.NextCode(await host.AuthenticatorKeyAsync(PortalHost.Dpo), host.Factory.Clock.GetUtcNow()));
        using var response = await form.SubmitAsync();
        Assert.Equal("/staff", response.Headers.Location!.OriginalString);
    }
}
