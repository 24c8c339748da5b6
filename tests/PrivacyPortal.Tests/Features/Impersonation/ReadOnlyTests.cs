using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Impersonation;

/// <summary>
/// While viewing as a customer nothing can be changed: each action is tried with the real form
/// (a valid antiforgery token, so the refusal is the rule and not a missing token), answered with
/// the refusal page, and the database is the same afterwards.
/// </summary>
public sealed class ReadOnlyTests
{
    [Fact]
    public async Task Each_action_of_the_customer_is_refused_with_a_clear_message_and_changes_nothing()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        Guid requestId;
        using (var kari = await host.SignInAsync(PortalHost.Kari, "nb"))
        {
            requestId = await RequestFlows.FileAsync(kari, "nb", RequestKind.Access);
        }

        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        var before = ImpersonationFlows.Snapshot(host);
        var refusedBefore = await RefusalsAsync(host);

        var attempts = new List<(string What, Func<Task<HttpResponseMessage>> Send)>
        {
            A("download the export", async () => await (await FormOn(support, "/nb/my-data", "form[action='/nb/my-data/export']")).SubmitAsync()),
            A("file an erasure request", async () => await (await FormOn(support, "/nb/requests/new?kind=Erasure", "main form[method=post]")).SubmitAsync()),
            A("file a complaint", async () => await (await FormOn(support, "/nb/requests/new?kind=Complaint", "main form[method=post]")).Set("Input.Details", "A complaint").SubmitAsync()),
            A("write in a request's thread", async () => await (await FormOn(support, $"/nb/requests/{requestId}", "#message")).Set("Message", "Written by staff").SubmitAsync()),
            A("sign out of the customer's account", async () => await (await FormOn(support, "/nb/my-data", "form[action='/nb/logout']")).SubmitAsync()),
            A("ask for a sign-in link in the customer's name", async () => await (await FormOn(support, "/nb/login", "main form[method=post]")).Set("Input.Email", PortalHost.Kari).SubmitAsync()),
            A("sign in to a store through OIDC", () => support.GetAsync("/connect/authorize?client_id=innore-no&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Finnore.no%2Fcb")),
            A("sign out through OIDC", () => support.GetAsync("/connect/endsession")),
            A("open the staff area", () => support.GetAsync("/staff")),
            A("start a nested view as another customer", async () => await PostWithTokenAsync(support, "/nb/my-data", $"/staff/people/{mariId}?handler=ViewAs", [new("Input.Reason", "nested"), new("Input.Ticket", "CS-2")])),
            A("change a setting as Admin", async () => await PostWithTokenAsync(support, "/nb/my-data", "/staff/settings/impersonation", [new("enabled", "false")])),
            A("PUT anything", () => support.Http.PutAsync("/nb/my-data", new StringContent(""))),
            A("DELETE anything", () => support.Http.DeleteAsync($"/nb/requests/{requestId}")),
        };

        foreach (var (what, send) in attempts)
        {
            using var response = await send();
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: answered {(int)response.StatusCode}");
            Assert.Contains("id=\"impersonation-refused\"", html, StringComparison.Ordinal);
            // In the language of the page the action came from; paths without one (staff area, OIDC) in English.
            var norwegian = response.RequestMessage!.RequestUri!.AbsolutePath.StartsWith("/nb/", StringComparison.Ordinal);
            Assert.Contains(norwegian ? "Ikke mulig mens du ser portalen som kunden" : "Not possible while viewing as the customer", html, StringComparison.Ordinal);
            Assert.Contains(norwegian ? "Ingenting ble endret" : "Nothing was changed", html, StringComparison.Ordinal);
            Assert.Contains("id=\"impersonation-banner\"", html, StringComparison.Ordinal);
        }

        Assert.Equal(before, ImpersonationFlows.Snapshot(host));
        Assert.Equal(refusedBefore + attempts.Count, await RefusalsAsync(host));
        // Still viewing as Kari: the refusals did not end anything.
        Assert.NotNull((await support.GetPageAsync("/nb/my-data")).QuerySelector("#impersonation-banner"));
    }

    /// <summary>
    /// Preferences, objections, consents and cookie choices, each with the form the customer would
    /// use: the buttons of /preferences and the choices of /cookies and the banner.
    /// </summary>
    [Fact]
    public async Task Preferences_objections_consent_withdrawal_and_cookie_choices_are_refused_with_their_real_forms()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using (var kari = await host.SignInAsync(PortalHost.Kari, "nb"))
        {
            // Kari's own doing, so there is a consent to withdraw and a cookie choice on her account.
            using (await (await FormOn(kari, "/nb/preferences", "form:has(button[data-preference='innore-no/Consent/prospect-marketing'])", banner: false)).SubmitAsync())
            {
            }

            using (await HtmlForm.From(kari, await kari.GetPageAsync("/nb/"), "#cookie-banner form").SubmitAsync("#cookie-reject"))
            {
            }
        }

        var preferenceRows = await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.SubjectId == kariId));
        var cookieRows = await host.DbAsync(db => db.Set<CookieConsentRecord>().CountAsync());
        Assert.True(preferenceRows > 0 && cookieRows > 0, "Kari's own changes did not land");

        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        var consentCookie = support.GetCookie("pp.consent");
        var before = ImpersonationFlows.Snapshot(host);
        string Button(string key) => $"form:has(button[data-preference='{key}'])";

        var attempts = new List<(string What, Func<Task<HttpResponseMessage>> Send)>
        {
            A("subscribe to the newsletter", async () => await (await FormOn(support, "/nb/preferences", Button("innore-no/Newsletter/newsletter"))).SubmitAsync()),
            A("object to direct marketing by email", async () => await (await FormOn(support, "/nb/preferences", Button("innore-no/DirectMarketing/email"))).SubmitAsync()),
            A("object to everything at one company", async () => await (await FormOn(support, "/nb/preferences", "form:has(button[data-object-all='innore-ee'])")).SubmitAsync()),
            A("object to everything at the other company", async () => await (await FormOn(support, "/nb/preferences", "form:has(button[data-object-all='innore-no'])")).SubmitAsync()),
            A("withdraw a consent", async () => await (await FormOn(support, "/nb/preferences", Button("innore-no/Consent/prospect-marketing"))).SubmitAsync()),
            A("give a consent", async () => await (await FormOn(support, "/nb/preferences", Button("innore-ee/Consent/personalised-ads"))).SubmitAsync()),
            A("accept all cookies in the banner", async () => await (await FormOn(support, "/nb/", "#cookie-banner form")).SubmitAsync("#cookie-accept")),
            A("reject all cookies in the banner", async () => await (await FormOn(support, "/nb/", "#cookie-banner form")).SubmitAsync("#cookie-reject")),
            A("save chosen cookie categories", async () => await (await FormOn(support, "/nb/cookies", "form.cookie-settings")).Check("Categories", "analytics").SubmitAsync("#cookie-save")),
            A("accept all on the cookie settings page", async () => await (await FormOn(support, "/nb/cookies", "form.cookie-settings")).SubmitAsync("#cookie-accept")),
        };

        foreach (var (what, send) in attempts)
        {
            using var response = await send();
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{what}: answered {(int)response.StatusCode}");
            Assert.Contains("id=\"impersonation-refused\"", html, StringComparison.Ordinal);
            Assert.Contains("Ikke mulig mens du ser portalen som kunden", html, StringComparison.Ordinal);
            Assert.Contains("Ingenting ble endret", html, StringComparison.Ordinal);
        }

        Assert.Equal(before, ImpersonationFlows.Snapshot(host));
        Assert.Equal(preferenceRows, await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync(r => r.SubjectId == kariId)));
        Assert.Equal(cookieRows, await host.DbAsync(db => db.Set<CookieConsentRecord>().CountAsync()));
        Assert.Equal(consentCookie, support.GetCookie("pp.consent"));
        Assert.Empty((await host.MailsToAsync(PortalHost.Kari)).Where(m => m.Kind == "preferences-changed").Skip(1));
    }

    /// <summary>
    /// Structural: every endpoint of the app that takes a POST (each named page handler, each
    /// minimal API) is refused during a view as customer, except the Stop button. Pages merged in
    /// later (preferences, cookies, OIDC) are covered by the same test without changing it.
    /// </summary>
    [Fact]
    public async Task Every_post_handler_in_the_app_is_refused_during_a_view_as_customer()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        await ImpersonationFlows.StartedAsync(support, kariId);
        var token = await TokenAsync(support, "/nb/my-data");
        var before = ImpersonationFlows.Snapshot(host);

        var targets = await PostTargetsAsync(host);
        Assert.Contains(targets, t => t.Contains("/my-data/export", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Contains("/requests/new", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Contains("/logout", StringComparison.Ordinal));
        Assert.Contains(targets, t => t.Contains("handler=ViewAs", StringComparison.Ordinal));
        Assert.DoesNotContain(targets, t => t.Contains("/view-as/stop", StringComparison.Ordinal));

        foreach (var target in targets)
        {
            using var content = new FormUrlEncodedContent([new(HtmlForm.AntiforgeryFieldName, token)]);
            using var response = await support.Http.PostAsync(target, content);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden && html.Contains("id=\"impersonation-refused\"", StringComparison.Ordinal),
                $"POST {target} answered {(int)response.StatusCode}");
        }

        Assert.Equal(before, ImpersonationFlows.Snapshot(host));
    }

    [Fact]
    public void The_oidc_sign_in_policy_refuses_any_impersonation_principal()
    {
        var impersonating = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()), new(PrivacyPortal.Features.Auth.ImpersonationClaims.Impersonation, Guid.NewGuid().ToString())],
            "Impersonation"));
        var customer = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.NameIdentifier, Guid.NewGuid().ToString())], "Portal"));
        Assert.True(PrivacyPortal.Features.Auth.ImpersonationClaims.IsImpersonating(impersonating));
        Assert.NotNull(PrivacyPortal.Features.Oidc.OidcSignInPolicy.RefusalFor(impersonating));
        Assert.Null(PrivacyPortal.Features.Oidc.OidcSignInPolicy.RefusalFor(customer));
    }

    private static (string What, Func<Task<HttpResponseMessage>> Send) A(string what, Func<Task<HttpResponseMessage>> send) => (what, send);

    private static async Task<HtmlForm> FormOn(CookieAwareClient client, string url, string selector, bool banner = true)
    {
        var page = await client.GetPageAsync(url);
        Assert.Equal(banner, page.QuerySelector("#impersonation-banner") is not null);
        return HtmlForm.From(client, page, selector);
    }

    private static async Task<string> TokenAsync(CookieAwareClient client, string url)
    {
        IDocument page = await client.GetPageAsync(url);
        return page.QuerySelector("meta[name=request-verification-token]")!.GetAttribute("content")!;
    }

    private static async Task<HttpResponseMessage> PostWithTokenAsync(CookieAwareClient client, string tokenPage, string url, KeyValuePair<string, string>[] fields)
    {
        var token = await TokenAsync(client, tokenPage);
        return await client.PostFormAsync(url, [.. fields, new(HtmlForm.AntiforgeryFieldName, token)]);
    }

    private static Task<int> RefusalsAsync(PortalHost host) =>
        host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "impersonation.refused"));

    /// <summary>
    /// A URL for every POST handler of every page and every POST/PUT/PATCH/DELETE endpoint, route
    /// values filled in. Short-circuited machine endpoints (OIDC token, revocation, introspection,
    /// userinfo) run at routing, before any cookie is read: they act only for a store holding a
    /// client secret or a bearer token, never in the name of whoever the browser is signed in as.
    /// </summary>
    private static async Task<List<string>> PostTargetsAsync(PortalHost host) =>
        [.. (await PostEndpoints.AllAsync(host))
            .Where(e => !e.ShortCircuit)
            .Select(e => e.Url)
            .Distinct()
            .Where(t => !t.EndsWith("/view-as/stop", StringComparison.Ordinal))];
}
