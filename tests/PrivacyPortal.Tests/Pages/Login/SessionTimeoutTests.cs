using System.Net;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Login;

public sealed class SessionTimeoutTests : IDisposable
{
    private readonly SmtpTestServer _smtp = new();
    private readonly PortalAppFactory _app;

    public SessionTimeoutTests() => _app = new PortalAppFactory(_smtp).Start();

    [Fact]
    public async Task A_session_left_alone_for_longer_than_the_idle_timeout_ends()
    {
        var client = await SignInAsync();
        _app.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/en/my-data")).StatusCode);

        _app.Clock.Advance(TimeSpan.FromMinutes(31));
        var response = await client.GetAsync("/en/my-data");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/en/login", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_active_session_still_ends_after_the_absolute_timeout()
    {
        var client = await SignInAsync();
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(11.5); elapsed += TimeSpan.FromMinutes(20))
        {
            _app.Clock.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/en/my-data")).StatusCode);
        }

        _app.Clock.Advance(TimeSpan.FromMinutes(40));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/en/my-data")).StatusCode);
    }

    public void Dispose()
    {
        _app.Dispose();
        _smtp.Dispose();
    }

    private async Task<CookieAwareClient> SignInAsync()
    {
        var client = _app.CreateCookieAwareClient();
        await PortalWithMail.RequestLinkAsync(client, "mari.maasikas@example.ee", "en");
        var mail = await _smtp.WaitForMailAsync("mari.maasikas@example.ee");
        Assert.Equal(HttpStatusCode.Redirect, (await PortalWithMail.ConfirmAsync(client, mail)).StatusCode);
        return client;
    }
}
