using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;

namespace PrivacyPortal.Tests.Support;

/// <summary>A web store calling the portal's store API with its client credentials, as the stores do.</summary>
public sealed class StoreApiCaller : IDisposable
{
    private readonly CookieAwareClient api;
    private readonly OidcFlow tokens;

    public StoreApiCaller(PortalHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        api = host.Anonymous();
        tokens = new OidcFlow(host.Factory, api);
    }

    public async Task<string> TokenAsync(string clientId, string secret)
    {
        using var response = await tokens.TokenAsync(clientId, secret, new() { ["grant_type"] = "client_credentials" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await OidcFlow.JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    public async Task<JsonElement> GetAsync(string token, string path)
    {
        using var response = await SendAsync(token, HttpMethod.Get, path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await OidcFlow.JsonAsync(response);
    }

    public async Task<JsonElement> PostAsync(string token, string path, object body)
    {
        using var response = await SendAsync(token, HttpMethod.Post, path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await OidcFlow.JsonAsync(response);
    }

    public async Task<HttpResponseMessage> SendAsync(string token, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await api.Http.SendAsync(request);
    }

    /// <summary>The per-record entries of every unacknowledged task of the store (with the task's kind), in task order.</summary>
    public async Task<List<(string Kind, JsonElement Record)>> TaskRecordsAsync(string token)
    {
        var page = await GetAsync(token, "/api/v1/tasks?limit=500");
        return [.. page.GetProperty("items").EnumerateArray()
            .SelectMany(t => t.GetProperty("records").EnumerateArray().Select(r => (t.GetProperty("kind").GetString()!, r)))];
    }

    public void Dispose() => api.Dispose();
}
