using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Pages.Preferences;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>
/// The store API and the <c>privacy</c> claim on the real data of the preferences, cookie-consent
/// and requests features: what a person does on the portal reaches the right store, and only it.
/// </summary>
public sealed class StoreApiWiringTests : IDisposable
{
    private readonly PortalHost host = new();
    private readonly CookieAwareClient api;
    private readonly OidcFlow tokens;

    public StoreApiWiringTests()
    {
        api = host.Anonymous();
        tokens = new OidcFlow(host.Factory, api);
    }

    public void Dispose()
    {
        api.Dispose();
        host.Dispose();
    }

    [Fact]
    public async Task An_objection_on_the_preferences_page_reaches_the_suppression_list_of_that_companys_store_only()
    {
        var no = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var eu = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);
        var noCursor = (await GetAsync(no, "/api/v1/suppressions")).GetProperty("nextCursor").GetString();
        var euCursor = (await GetAsync(eu, "/api/v1/suppressions")).GetProperty("nextCursor").GetString();
        var kariId = await host.UserIdAsync(PortalHost.Kari);

        using var kari = await host.SignInAsync(PortalHost.Kari);
        using (var pressed = await IndexTests.PressAsync(kari, PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Email)))
        {
            Assert.Equal(HttpStatusCode.Redirect, pressed.StatusCode);
        }

        var page = await GetAsync(no, $"/api/v1/suppressions?since={noCursor}");
        var entry = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(kariId.ToString(), entry.GetProperty("sub").GetString());
        Assert.Equal(PortalHost.Kari, entry.GetProperty("email").GetString());
        Assert.Equal("objection", entry.GetProperty("kind").GetString());
        Assert.Equal("email", entry.GetProperty("channel").GetString());
        Assert.False(page.GetProperty("hasMore").GetBoolean());
        var next = page.GetProperty("nextCursor").GetString();
        Assert.True(long.Parse(next!, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(noCursor!, System.Globalization.CultureInfo.InvariantCulture));

        // After its new cursor the store has seen everything; the other company's store never sees it.
        Assert.Equal(0, (await GetAsync(no, $"/api/v1/suppressions?since={next}")).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await GetAsync(eu, $"/api/v1/suppressions?since={euCursor}")).GetProperty("items").GetArrayLength());
        // Innore OÜ's store sees the demo data's Mari (her consent there), never Kari's change at INNORE AS.
        Assert.DoesNotContain(kariId.ToString(), (await GetAsync(eu, "/api/v1/marketing-permissions")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sub").GetString()));

        var permissions = Assert.Single((await GetAsync(no, $"/api/v1/marketing-permissions?since={noCursor}")).GetProperty("items").EnumerateArray());
        Assert.Equal(kariId.ToString(), permissions.GetProperty("sub").GetString());
        Assert.Equal(["email"], permissions.GetProperty("permissions").GetProperty("objectedChannels").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task An_erasure_task_is_listed_for_the_store_holding_the_data_and_acknowledged_once()
    {
        // Mari is a customer of Innore OÜ only: its store innore.eu gets the task, innore.no does not.
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        using (var mari = await host.SignInAsync(PortalHost.Mari, "et"))
        {
            var requestId = await RequestFlows.FileAsync(mari, "et", RequestKind.Erasure);
            using var dpo = await host.StaffAsync(PortalHost.Dpo);
            await RequestFlows.StaffDoAsync(dpo, requestId, "carry-out");
        }

        var eu = await StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);
        var no = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        Assert.Equal(0, (await GetAsync(no, "/api/v1/tasks?includeAcknowledged=true")).GetProperty("items").GetArrayLength());

        var page = await GetAsync(eu, "/api/v1/tasks");
        var task = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("erasure", task.GetProperty("kind").GetString());
        Assert.Equal(mariId.ToString(), task.GetProperty("sub").GetString());
        Assert.NotEqual(0, task.GetProperty("externalIds").GetArrayLength());
        Assert.NotEqual(0, task.GetProperty("categories").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, task.GetProperty("acknowledgedAt").ValueKind);

        // Per record the store learns what to do: her orders are under the Accounting Act, so the
        // store must keep them restricted until their retention end, not erase them.
        var records = task.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(task.GetProperty("externalIds").GetArrayLength(), records.Count(r => r.GetProperty("externalId").ValueKind == JsonValueKind.String));
        var orders = records.Where(r => r.GetProperty("category").GetString() == "orders").ToList();
        Assert.NotEmpty(orders);
        Assert.All(orders, r =>
        {
            Assert.Equal("innore-ee", r.GetProperty("controller").GetString());
            Assert.Equal("restrict", r.GetProperty("action").GetString());
            Assert.Matches(@"^20[3-9][0-9]-12-31$", r.GetProperty("keepUntil").GetString());
        });
        Assert.All(records.Where(r => r.GetProperty("category").GetString() != "orders"), r =>
            Assert.Matches("^(erase|anonymise|restrict)$", r.GetProperty("action").GetString()));
        var id = task.GetProperty("id").GetInt64();

        // The other store cannot acknowledge it: to innore.no the task does not exist.
        using (var foreign = await SendAsync(no, HttpMethod.Post, $"/api/v1/tasks/{id}/acknowledge"))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        Assert.Null(await host.DbAsync(db => db.Set<RecipientTask>().Where(t => t.Id == id).Select(t => t.AcknowledgedAt).SingleAsync()));

        var acknowledgedAt = host.Factory.Clock.GetUtcNow();
        using (var first = await SendAsync(eu, HttpMethod.Post, $"/api/v1/tasks/{id}/acknowledge", new { note = "Erased in the web shop" }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("acknowledged", (await OidcFlow.JsonAsync(first)).GetProperty("status").GetString());
        }

        host.Factory.Clock.SetUtcNow(acknowledgedAt.AddMinutes(5));
        using (var second = await SendAsync(eu, HttpMethod.Post, $"/api/v1/tasks/{id}/acknowledge"))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal("already-acknowledged", (await OidcFlow.JsonAsync(second)).GetProperty("status").GetString());
        }

        Assert.Equal(acknowledgedAt, await host.DbAsync(db => db.Set<RecipientTask>().Where(t => t.Id == id).Select(t => t.AcknowledgedAt).SingleAsync()));
        Assert.Contains("Erased in the web shop", await host.DbAsync(db => db.AuditEvents.Where(e => e.Action == "store.task-acknowledged").Select(e => e.Detail).SingleAsync()), StringComparison.Ordinal);

        // Acknowledged tasks leave the default list and stay in the full one.
        Assert.Equal(0, (await GetAsync(eu, "/api/v1/tasks")).GetProperty("items").GetArrayLength());
        var all = Assert.Single((await GetAsync(eu, "/api/v1/tasks?includeAcknowledged=true")).GetProperty("items").EnumerateArray());
        Assert.Equal(acknowledgedAt, all.GetProperty("acknowledgedAt").GetDateTimeOffset());
        Assert.Equal(0, (await GetAsync(eu, $"/api/v1/tasks?includeAcknowledged=true&since={id}")).GetProperty("items").GetArrayLength());

        using var unknown = await SendAsync(eu, HttpMethod.Post, $"/api/v1/tasks/{id + 1000}/acknowledge");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_cookie_consent_endpoint_answers_the_persons_latest_choice()
    {
        using var kari = await host.SignInAsync(PortalHost.Kari);
        await ChooseCookiesAsync(kari, f => f.Check("Categories", "analytics"));
        await ChooseCookiesAsync(kari, f => f.Uncheck("Categories", "analytics").Check("Categories", "preferences"));

        var no = await StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var body = await GetAsync(no, "/api/v1/people/cookie-consent?email=kari.nordmann@example.no");

        var consent = body.GetProperty("cookieConsent");
        Assert.Equal(Revision, consent.GetProperty("policyRevision").GetString());
        var categories = consent.GetProperty("categories").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("preferences", categories);
        Assert.DoesNotContain("analytics", categories);
    }

    [Fact]
    public async Task The_privacy_claim_has_the_cookie_choice_with_its_revision_and_the_marketing_permissions_of_the_stores_company()
    {
        using var kari = await host.SignInAsync(PortalHost.Kari);
        await ChooseCookiesAsync(kari, f => f.Check("Categories", "analytics"));
        // Her newsletter subscription at INNORE AS comes from the demo data (her first order).
        using (await IndexTests.PressAsync(kari, PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Email)))
        {
        }

        // Kari, already signed in at the portal, signs in at innore.no asking for the privacy scope.
        var flow = new OidcFlow(host.Factory, kari);
        var (verifier, challenge) = OidcFlow.Pkce();
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(challenge, DevClients.No, DevClients.NoRedirect, "openid privacy"), PortalHost.Kari);
        using var redeemed = await flow.RedeemAsync(OidcFlow.QueryValue(redirect, "code")!, verifier, DevClients.NoRedirect, DevClients.No, DevClients.NoSecret);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var accessToken = (await OidcFlow.JsonAsync(redeemed)).GetProperty("access_token").GetString()!;

        using var userInfo = await flow.UserInfoAsync(accessToken);
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        var privacy = (await OidcFlow.JsonAsync(userInfo)).GetProperty("privacy");

        Assert.Equal(Revision, privacy.GetProperty("policy_revision").GetString());
        var cookies = privacy.GetProperty("cookie_consent");
        Assert.Equal(Revision, cookies.GetProperty("policy_revision").GetString());
        Assert.Contains("analytics", cookies.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));

        var marketing = privacy.GetProperty("marketing");
        Assert.Equal(["innore-no"], marketing.EnumerateObject().Select(p => p.Name));
        var innoreNo = marketing.GetProperty("innore-no");
        Assert.True(innoreNo.GetProperty("newsletter").GetBoolean());
        Assert.Equal(["email"], innoreNo.GetProperty("objected_channels").EnumerateArray().Select(c => c.GetString()));
    }

    private string Revision => host.Factory.Services.GetRequiredService<PolicyCatalog>().Revision;

    private static async Task ChooseCookiesAsync(CookieAwareClient client, Func<HtmlForm, HtmlForm> choose)
    {
        var page = await client.GetPageAsync("/en/cookies");
        using var saved = await choose(HtmlForm.From(client, page, "main form")).SubmitAsync("#cookie-save");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
    }

    private async Task<string> StoreTokenAsync(string clientId, string secret)
    {
        using var response = await tokens.TokenAsync(clientId, secret, new() { ["grant_type"] = "client_credentials" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await OidcFlow.JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private async Task<JsonElement> GetAsync(string token, string path)
    {
        using var response = await SendAsync(token, HttpMethod.Get, path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await OidcFlow.JsonAsync(response);
    }

    private async Task<HttpResponseMessage> SendAsync(string token, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await api.Http.SendAsync(request);
    }
}
