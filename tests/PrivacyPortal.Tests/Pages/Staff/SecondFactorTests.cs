using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

public sealed class SecondFactorTests
{
    [Fact]
    public async Task First_sign_in_enrols_the_authenticator_with_a_qr_code_and_later_ones_only_ask_for_the_code()
    {
        using var host = new PortalHost();
        using var first = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
        var page = await first.GetPageAsync("/staff/second-factor?returnUrl=%2Fstaff");
        var qr = page.QuerySelector(".qr img")!.GetAttribute("src")!;
        Assert.StartsWith("data:image/png;base64,", qr, StringComparison.Ordinal);
        var shownKey = page.QuerySelector("#authenticator-key")!.TextContent.Replace(" ", "", StringComparison.Ordinal);
        var key = await host.AuthenticatorKeyAsync(PortalHost.Support);
        Assert.Equal(key.ToUpperInvariant(), shownKey.ToUpperInvariant());

        // A wrong code keeps the staff area closed.
        var wrong = HtmlForm.From(first, page, "#second-factor-form");
        wrong.Set("Code", Totp.Code(key, Totp.CurrentStep() - 100));
        using (var response = await wrong.SubmitAsync())
        {
            var again = await CookieAwareClient.ParsePageAsync(response);
            Assert.Contains("That code is not right", again.QuerySelector(".notice--error")!.TextContent, StringComparison.Ordinal);
        }

        using (var still = await first.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.Redirect, still.StatusCode);
        }

        var right = await PortalHost.FormAsync(first, "/staff/second-factor?returnUrl=%2Fstaff", "#second-factor-form");
        var code = Totp.NextCode(key);
        right.Set("Code", code);
        using (var response = await right.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/staff", response.Headers.Location!.OriginalString);
        }

        using (var queue = await first.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        var session = await host.DbAsync(db => db.Sessions.AsNoTracking().Where(s => s.EndedAt == null).OrderByDescending(s => s.CreatedAt).FirstAsync());
        Assert.Equal("magic-link+totp", session.AuthenticationMethod);
        using (var scope = host.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<DataSubject>>();
            Assert.True(await users.GetTwoFactorEnabledAsync((await users.FindByEmailAsync(PortalHost.Support))!));
        }

        // Next sign-in: no key shown, and the code just used does not work a second time.
        using var second = await host.SignInLinkOnlyStaffAsync(PortalHost.Support);
        var codePage = await second.GetPageAsync("/staff/second-factor?returnUrl=%2Fstaff");
        Assert.Null(codePage.QuerySelector("#authenticator-key"));
        var replay = HtmlForm.From(second, codePage, "#second-factor-form");
        replay.Set("Code", code);
        using (var response = await replay.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var fresh = await PortalHost.FormAsync(second, "/staff/second-factor?returnUrl=%2Fstaff", "#second-factor-form");
        fresh.Set("Code", Totp.NextCode(key));
        using (var response = await fresh.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var audit = await host.DbAsync(db => db.AuditEvents.Select(e => e.Action).ToListAsync());
        Assert.Single(audit, a => a == "staff.enrolled-authenticator");
        Assert.Equal(2, audit.Count(a => a == "staff.signed-in"));
        Assert.Equal(2, audit.Count(a => a == "staff.second-factor-failed"));
    }

    [Fact]
    public async Task The_return_address_after_the_second_factor_stays_inside_the_staff_area()
    {
        using var host = new PortalHost();
        using var client = await host.SignInLinkOnlyStaffAsync(PortalHost.Dpo);
        var key = (await client.GetPageAsync("/staff/second-factor")).QuerySelector("#authenticator-key") is not null
            ? await host.AuthenticatorKeyAsync(PortalHost.Dpo)
            : throw new InvalidOperationException("expected enrolment");
        var form = await PortalHost.FormAsync(client, "/staff/second-factor?returnUrl=https%3A%2F%2Fevil.example%2F", "#second-factor-form");
        form.Set("Code", Totp.NextCode(key));
        using var response = await form.SubmitAsync();
        Assert.Equal("/staff", response.Headers.Location!.OriginalString);
    }
}
