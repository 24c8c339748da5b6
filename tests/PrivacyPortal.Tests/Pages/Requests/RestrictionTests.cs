using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>Restricted records are kept and shown to the person, but used for nothing else: not for marketing, not to tell a store it knows the person.</summary>
public sealed class RestrictionTests
{
    [Fact]
    public async Task After_a_restriction_the_store_gets_no_marketing_permission_and_no_known_person_but_the_person_still_sees_the_data()
    {
        using var host = new PortalHost();
        using var api = host.Anonymous();
        var tokens = new OidcFlow(host.Factory, api);
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        string token;
        using (var issued = await tokens.TokenAsync(DevClients.No, DevClients.NoSecret, new() { ["grant_type"] = "client_credentials" }))
        {
            token = (await OidcFlow.JsonAsync(issued)).GetProperty("access_token").GetString()!;
        }

        async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await api.Http.SendAsync(request);
            return (response.StatusCode, await OidcFlow.JsonAsync(response));
        }

        async Task<JsonElement> KarisPermissionsAsync()
        {
            var (status, feed) = await GetAsync("/api/v1/marketing-permissions");
            Assert.Equal(HttpStatusCode.OK, status);
            return feed.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("sub").GetString() == kariId.ToString()).GetProperty("permissions");
        }

        // Kari subscribes to INNORE AS's newsletter (the demo data's history): the store may send it to her.
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        Assert.True((await KarisPermissionsAsync()).GetProperty("newsletter").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/v1/people/cookie-consent?email=kari.nordmann@example.no")).Status);

        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Restriction);
        using (var dpo = await host.StaffAsync(PortalHost.Dpo))
        {
            await RequestFlows.StaffDoAsync(dpo, id, "carry-out");
        }

        var permissions = await KarisPermissionsAsync();
        Assert.False(permissions.GetProperty("newsletter").GetBoolean());
        Assert.Empty(permissions.GetProperty("consents").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("/api/v1/people/cookie-consent?email=kari.nordmann@example.no")).Status);
        // Ola's data at INNORE AS is not restricted: he is still known to the store.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/api/v1/people/cookie-consent?email=ola.hansen@bygg.example.no")).Status);

        // The person still sees and can export what is kept.
        var myData = await kari.GetPageAsync("/nb/my-data");
        Assert.Contains("Storgata 12, 0155 Oslo", myData.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }
}
