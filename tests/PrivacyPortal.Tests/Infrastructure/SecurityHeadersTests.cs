using System.Net;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Infrastructure;

public sealed class SecurityHeadersTests
{
    [Theory]
    [InlineData("/en/")]
    [InlineData("/nb/login")]
    [InlineData("/et/does-not-exist")]
    public async Task Every_page_carries_the_security_headers(string url)
    {
        using var app = new PortalAppFactory().WithEnvironment("Production").With("Portal:SeedDemoData", "false");
        var client = app.CreateCookieAwareClient();
        // HSTS is never sent to localhost (browsers would pin it for every local app), so ask as the portal's host.
        client.Http.DefaultRequestHeaders.Host = "privacy.innore.example";
        var response = await client.GetAsync(url);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_Development_cookies_are_Host_prefixed_secure_and_http_only()
    {
        using var app = new PortalAppFactory().WithEnvironment("Production").With("Portal:SeedDemoData", "false");
        var response = await app.CreateCookieAwareClient().GetAsync("/en/login");
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c =>
        {
            Assert.StartsWith("__Host-", c, StringComparison.Ordinal);
            Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/", c, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("domain=", c, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task Outside_Development_the_sign_in_cookie_is_Host_prefixed_secure_and_http_only()
    {
        // The outbox keeps the link after delivery only so that this test can read it.
        using var app = new PortalAppFactory().WithEnvironment("Production")
            .With("Portal:SeedDemoData", "true")
            .With("Email:KeepSecretsAfterSending", "true");
        var client = app.CreateCookieAwareClient();

        var landing = await PortalTestSession.SignInAsync(app, client, PortalTestSession.Kari);

        Assert.Equal("/en/my-data", landing);
        var cookies = client.Cookies.GetCookies(client.BaseAddress).ToList();
        var auth = Assert.Single(cookies, c => c.Name == "__Host-pp.auth");
        Assert.True(auth.Secure, "the sign-in cookie is Secure");
        Assert.True(auth.HttpOnly, "the sign-in cookie is HttpOnly");
        Assert.Equal("/", auth.Path);
        Assert.All(cookies, c => Assert.StartsWith("__Host-", c.Name, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/en/my-data")).StatusCode);
    }

    [Theory]
    [InlineData("nb-NO,nb;q=0.9,en;q=0.5", "/nb/")]
    [InlineData("no", "/nb/")]
    [InlineData("et-EE", "/et/")]
    [InlineData("de-DE,fr;q=0.8", "/en/")]
    [InlineData("", "/en/")]
    public async Task The_root_redirects_by_Accept_Language_without_writing_a_cookie(string acceptLanguage, string expected)
    {
        using var app = new PortalAppFactory();
        var client = app.CreateCookieAwareClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        if (acceptLanguage.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await client.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.OriginalString);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        using var app = new PortalAppFactory();
        var client = app.CreateCookieAwareClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }
}
