using System.Net;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Infrastructure;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto count only from the proxies in Proxy:KnownProxies; the
/// per-IP sign-in limit shows whose address the portal believes.
/// </summary>
public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task From_a_configured_proxy_each_client_address_gets_its_own_sign_in_allowance()
    {
        using var app = new PortalAppFactory(useKestrel: true)
            .With("Proxy:KnownProxies:0", "127.0.0.1")
            .With("Auth:MaxLinksPerIpPer10Minutes", "2")
            .Start();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Redirect], await AskThriceAsync(app, "203.0.113.7"));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Redirect], await AskThriceAsync(app, "203.0.113.8"));
    }

    [Fact]
    public async Task Behind_a_proxy_the_addresses_of_one_ipv6_64_share_one_sign_in_allowance_and_the_next_64_has_its_own()
    {
        using var app = new PortalAppFactory(useKestrel: true)
            .With("Proxy:KnownProxies:0", "127.0.0.1")
            .With("Auth:MaxLinksPerIpPer10Minutes", "3")
            .Start();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], await AskThriceAsync(app, "2001:db8:77:1::a"));
        // Another address of the same /64 (a privacy address, or one picked on purpose) is the same client.
        Assert.Equal(HttpStatusCode.Redirect, (await AskThriceAsync(app, "2001:db8:77:1:9f3e:5c1:44:2"))[0]);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], await AskThriceAsync(app, "2001:db8:77:2::a"));
    }

    [Fact]
    public async Task Without_a_configured_proxy_the_headers_are_ignored_so_a_client_cannot_pick_its_address()
    {
        using var app = new PortalAppFactory(useKestrel: true)
            .With("Auth:MaxLinksPerIpPer10Minutes", "2")
            .Start();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Redirect], await AskThriceAsync(app, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.Redirect, (await AskThriceAsync(app, "203.0.113.8"))[0]);
    }

    [Fact]
    public async Task Behind_a_configured_proxy_that_terminates_TLS_the_production_forms_work_over_its_http_hop()
    {
        using var app = new PortalAppFactory(useKestrel: true)
            .WithEnvironment("Production")
            .With("Proxy:KnownProxies:0", "127.0.0.1")
            .Start();
        using var client = CookieAwareClient.ForServer(app.ServerAddress);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/en/login");
        request.Headers.Add("X-Forwarded-Proto", "https");

        using var response = await client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-pp.af=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<HttpStatusCode[]> AskThriceAsync(PortalAppFactory app, string clientAddress)
    {
        using var client = CookieAwareClient.ForServer(app.ServerAddress);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
        var statuses = new HttpStatusCode[3];
        for (var i = 0; i < statuses.Length; i++)
        {
            var form = await HtmlForm.LoadAsync(client, "/en/login", "main form[method=post]");
            statuses[i] = (await form.Set("Input.Email", $"visitor{i}@example.net").SubmitAsync()).StatusCode;
        }

        return statuses;
    }
}
