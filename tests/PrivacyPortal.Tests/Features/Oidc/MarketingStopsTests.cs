using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>A store passes on a stop it received: by sub or by email address, for its own company; every store of the company sees it in the suppression feed.</summary>
public sealed class MarketingStopsTests : IDisposable
{
    private readonly PortalAppFactory factory = OidcFlow.NewPortal();
    private readonly CookieAwareClient browser;
    private readonly OidcFlow flow;

    public MarketingStopsTests()
    {
        browser = factory.CreateCookieAwareClient();
        flow = new OidcFlow(factory, browser);
    }

    public void Dispose()
    {
        browser.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task A_stop_by_sub_is_recorded_as_the_store_and_reaches_the_companys_suppression_feed_once()
    {
        var token = await flow.StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var kari = await KariIdAsync();

        using (var response = await flow.StoreSendAsync(token, HttpMethod.Post, $"/api/v1/people/{kari}/marketing-stops", new { stops = new[] { new { kind = "newsletter" } }, note = "unsubscribed at checkout" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await OidcFlow.JsonAsync(response);
            Assert.Equal("recorded", body.GetProperty("status").GetString());
        }

        var row = await flow.WithDbAsync(db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.SubjectId == kari).OrderByDescending(r => r.Id).FirstAsync());
        Assert.Equal((PreferenceKind.Newsletter, false, PreferenceActorKind.Store, PreferenceChannel.StoreApi, "innore-no"), (row.Kind, row.Enabled, row.Actor, row.Channel, row.StoreId));
        Assert.Contains("unsubscribed at checkout", await flow.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "store.marketing-stop").Select(e => e.Detail).SingleAsync()), StringComparison.Ordinal);

        using (var feed = await flow.StoreSendAsync(token, HttpMethod.Get, "/api/v1/suppressions"))
        {
            var item = Assert.Single((await OidcFlow.JsonAsync(feed)).GetProperty("items").EnumerateArray());
            Assert.Equal((kari.ToString(), "kari.nordmann@example.no"), (item.GetProperty("sub").GetString(), item.GetProperty("email").GetString()));
        }

        // Innore OÜ's store is another company: nothing for it.
        var eu = await flow.StoreTokenAsync(DevClients.Eu, DevClients.EuSecret);
        using (var other = await flow.StoreSendAsync(eu, HttpMethod.Get, "/api/v1/suppressions"))
        {
            Assert.Equal(0, (await OidcFlow.JsonAsync(other)).GetProperty("items").GetArrayLength());
        }

        using var again = await flow.StoreSendAsync(token, HttpMethod.Post, $"/api/v1/people/{kari}/marketing-stops", new { stops = new[] { new { kind = "newsletter" } } });
        Assert.Equal("unchanged", (await OidcFlow.JsonAsync(again)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_sub_the_stores_company_does_not_know_is_not_found_and_nothing_is_written()
    {
        var token = await flow.StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var mari = await flow.WithDbAsync(db => db.Users.Where(u => u.Email == "mari.maasikas@example.ee").Select(u => u.Id).SingleAsync());
        var before = await flow.WithDbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync());

        foreach (var sub in new[] { mari.ToString(), Guid.NewGuid().ToString(), "not-a-sub" })
        {
            using var response = await flow.StoreSendAsync(token, HttpMethod.Post, $"/api/v1/people/{sub}/marketing-stops", new { stops = new[] { new { kind = "all" } } });
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        Assert.Equal(before, await flow.WithDbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync()));
    }

    [Fact]
    public async Task The_by_email_form_answers_the_same_for_a_known_and_an_unknown_address()
    {
        var token = await flow.StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var users = await flow.WithDbAsync(db => db.Users.CountAsync());

        string known;
        using (var response = await flow.StoreSendAsync(token, HttpMethod.Post, "/api/v1/marketing-stops", new { email = "Kari.Nordmann@example.no", stops = new object[] { new { kind = "directMarketing", channel = "email" } } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            known = await response.Content.ReadAsStringAsync();
        }

        using (var response = await flow.StoreSendAsync(token, HttpMethod.Post, "/api/v1/marketing-stops", new { email = "nobody.here@example.no", stops = new object[] { new { kind = "directMarketing", channel = "email" } } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(known, await response.Content.ReadAsStringAsync());
        }

        var kari = await KariIdAsync();
        var row = await flow.WithDbAsync(db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.SubjectId == kari).OrderByDescending(r => r.Id).FirstAsync());
        Assert.Equal((PreferenceKind.DirectMarketing, "email", false, "innore-no"), (row.Kind, row.Target, row.Enabled, row.StoreId));
        // Nothing is kept of an address nobody gave us.
        Assert.Equal(users, await flow.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Equal(1, await flow.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "store.marketing-stop-unknown-address")));
    }

    [Theory]
    [InlineData("{\"stops\":[{\"kind\":\"switchOn\"}]}", "stops[0]")]
    [InlineData("{\"stops\":[{\"kind\":\"directMarketing\",\"channel\":\"carrier-pigeon\"}]}", "stops[0]")]
    [InlineData("{\"stops\":[{\"kind\":\"consent\",\"consent\":\"not-a-consent\"}]}", "stops[0]")]
    [InlineData("{\"stops\":[]}", "stops")]
    [InlineData("[1,2]", "body")]
    [InlineData("{\"stops\":[{\"kind\":\"newsletter\"}],\"email\":\"not an address\"}", "email")]
    public async Task A_bad_stop_is_refused_naming_the_field_and_nothing_is_written(string json, string field)
    {
        var token = await flow.StoreTokenAsync(DevClients.No, DevClients.NoSecret);
        var before = await flow.WithDbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync());
        var path = field == "email" ? "/api/v1/marketing-stops" : $"/api/v1/people/{await KariIdAsync()}/marketing-stops";

        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await browser.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await OidcFlow.JsonAsync(response)).GetProperty("field").GetString());
        Assert.Equal(before, await flow.WithDbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync()));
    }

    [Fact]
    public async Task A_token_without_the_write_scope_is_forbidden()
    {
        var readOnly = await flow.StoreTokenAsync(DevClients.No, DevClients.NoSecret, "store.marketing.read");

        using var response = await flow.StoreSendAsync(readOnly, HttpMethod.Post, "/api/v1/marketing-stops", new { email = "kari.nordmann@example.no", stops = new[] { new { kind = "all" } } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private Task<Guid> KariIdAsync() => flow.WithDbAsync(db => db.Users.Where(u => u.Email == "kari.nordmann@example.no").Select(u => u.Id).SingleAsync());
}
