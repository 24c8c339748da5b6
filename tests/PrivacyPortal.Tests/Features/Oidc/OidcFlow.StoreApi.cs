using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>The store API as a store calls it: a client-credentials token, then JSON requests with it.</summary>
internal sealed partial class OidcFlow
{
    public async Task<string> StoreTokenAsync(string clientId, string secret, string? scope = null)
    {
        using var response = await TokenAsync(clientId, secret, new() { ["grant_type"] = "client_credentials", ["scope"] = scope });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    public async Task<HttpResponseMessage> StoreSendAsync(string? token, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await Browser.Http.SendAsync(request);
    }
}
