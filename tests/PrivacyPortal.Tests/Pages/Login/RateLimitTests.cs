using System.Net;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Login;

public sealed class RateLimitTests
{
    [Fact]
    public async Task An_address_gets_at_most_the_configured_number_of_mails_per_hour_and_the_screen_does_not_tell()
    {
        using var smtp = new SmtpTestServer();
        using var app = new PortalAppFactory(smtp).With("Auth:MaxLinksPerAddressPerHour", "3").Start();
        var pages = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var page = await PortalWithMail.RequestLinkAsync(app.CreateCookieAwareClient(), "kari.nordmann@example.no", "en");
            pages.Add(page.QuerySelector("main h1")!.TextContent);
        }

        Assert.All(pages, h => Assert.Equal("Check your email", h));
        await Task.Delay(1500);
        Assert.Equal(3, smtp.All.Count(m => m.IsAddressedTo("kari.nordmann@example.no")));

        app.Clock.Advance(TimeSpan.FromMinutes(61));
        await PortalWithMail.RequestLinkAsync(app.CreateCookieAwareClient(), "kari.nordmann@example.no", "en");
        await smtp.WaitForMailAsync("kari.nordmann@example.no", _ => smtp.All.Count(m => m.IsAddressedTo("kari.nordmann@example.no")) == 4);
    }

    [Fact]
    public async Task Too_many_requests_from_one_address_get_a_localized_too_many_attempts_page()
    {
        using var app = new PortalAppFactory().With("Auth:MaxLinksPerIpPer10Minutes", "3").Start();
        var client = app.CreateCookieAwareClient();
        for (var i = 0; i < 3; i++)
        {
            var form = await HtmlForm.LoadAsync(client, "/nb/login", "main form[method=post]");
            Assert.Equal(HttpStatusCode.OK, (await form.Set("Input.Email", $"person{i}@example.no").SubmitAsync()).StatusCode);
        }

        var blocked = await (await HtmlForm.LoadAsync(client, "/nb/login", "main form[method=post]"))
            .Set("Input.Email", "person9@example.no").SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, blocked.StatusCode);
        var page = await client.GetAsync(blocked.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Contains("For mange forsøk", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
