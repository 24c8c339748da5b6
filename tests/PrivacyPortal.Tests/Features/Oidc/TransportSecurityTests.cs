using System.Net;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>
/// Outside Development the provider answers only requests that arrived over HTTPS: directly, or
/// through a configured proxy that says so in X-Forwarded-Proto.
/// </summary>
public sealed class TransportSecurityTests
{
    [Fact]
    public async Task In_production_plain_http_is_refused_and_https_behind_a_configured_proxy_is_answered()
    {
        using var app = new PortalAppFactory(useKestrel: true)
            .WithEnvironment("Production")
            .With("Proxy:KnownProxies:0", "127.0.0.1")
            .Start();
        using var client = CookieAwareClient.ForServer(app.ServerAddress);

        using (var plain = await client.Http.GetAsync("/.well-known/openid-configuration"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var proxied = await client.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
    }

    [Fact]
    public async Task In_development_plain_http_is_answered()
    {
        using var app = new PortalAppFactory(useKestrel: true).Start();
        using var client = CookieAwareClient.ForServer(app.ServerAddress);

        using var response = await client.Http.GetAsync("/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
