using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;

namespace PrivacyPortal.Tests.Support;

/// <summary>A store calling the store API with its client-credentials token, as its server would.</summary>
public sealed class StoreCaller(CookieAwareClient client, string token)
{
    public static async Task<StoreCaller> SignInAsync(PortalHost host, CookieAwareClient client, string clientId, string secret)
    {
        using var response = await new OidcFlow(host.Factory, client).TokenAsync(clientId, secret, new() { ["grant_type"] = "client_credentials" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new StoreCaller(client, (await OidcFlow.JsonAsync(response)).GetProperty("access_token").GetString()!);
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await OidcFlow.JsonAsync(response);
    }

    public async Task<JsonElement> PushAsync(object body)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/records", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await OidcFlow.JsonAsync(response);
    }

    /// <summary>The marketing-permissions feed's entries for one person (all pages from the start).</summary>
    public async Task<List<JsonElement>> PermissionsOfAsync(Guid subjectId) =>
        (await GetAsync("/api/v1/marketing-permissions?limit=1000")).GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("sub").GetString() == subjectId.ToString())
            .Select(i => i.GetProperty("permissions").Clone())
            .ToList();

    /// <summary>The suppression feed's entries for one person, as "kind channel-or-purpose".</summary>
    public async Task<List<string>> SuppressionsOfAsync(Guid subjectId) =>
        (await GetAsync("/api/v1/suppressions?limit=1000")).GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("sub").GetString() == subjectId.ToString())
            .Select(i => $"{i.GetProperty("kind").GetString()} {i.GetProperty("channel").GetString() ?? i.GetProperty("purpose").GetString()}")
            .ToList();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await client.Http.SendAsync(request);
    }
}
