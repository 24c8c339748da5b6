using System.Net;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Login;

public sealed class LoginInputTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    [Theory]
    [InlineData("", "en", "Enter your email address.")]
    [InlineData("   ", "nb", "Skriv inn e-postadressen din.")]
    [InlineData("\"quoted local\"@example.no", "en", "does not look like an email address")]
    [InlineData("two@@example.no", "nb", "ser ikke ut som en e-postadresse")]
    [InlineData("a@b@example.no", "et", "ei näe välja nagu e-posti aadress")]
    [InlineData("kari\uFF20example.no", "en", "does not look like an email address")]
    [InlineData("kari@", "en", "does not look like an email address")]
    [InlineData("@example.no", "en", "does not look like an email address")]
    [InlineData("kari@localhost", "en", "does not look like an email address")]
    [InlineData("kari..nordmann@example.no", "en", "does not look like an email address")]
    public async Task Malformed_addresses_get_a_clear_message_in_the_page_language(string email, string culture, string expected)
    {
        var client = portal.NewClient();
        var form = await HtmlForm.LoadAsync(client, $"/{culture}/login", "main form[method=post]");
        var response = await form.Set("Input.Email", email).SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.Contains(expected, page.QuerySelector("#email-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("true", page.QuerySelector("#Input_Email")!.GetAttribute("aria-invalid"));
    }

    [Fact]
    public async Task A_huge_address_is_refused_without_an_error_page()
    {
        var client = portal.NewClient();
        var form = await HtmlForm.LoadAsync(client, "/en/login", "main form[method=post]");
        var response = await form.Set("Input.Email", new string('a', 100_000) + "@example.no").SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("does not look like an email address", (await CookieAwareClient.ParsePageAsync(response)).QuerySelector("#email-error")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused_with_a_readable_page()
    {
        var client = portal.NewClient();
        var response = await client.PostFormAsync("/en/login", [new("Input.Email", "kari.nordmann@example.no")]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("<h1>The request could not be read</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/de/login")]
    [InlineData("/EN-us/login")]
    [InlineData("/xx/my-data")]
    public async Task An_unknown_culture_segment_is_a_404_page(string url)
    {
        var response = await portal.NewClient().GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("<h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/en/login/confirm")]
    [InlineData("/en/login/confirm?token=")]
    [InlineData("/en/login/confirm?token=not-a-token")]
    [InlineData("/en/login/confirm?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_broken_or_unknown_link_says_it_cannot_be_used(string url)
    {
        var page = await portal.NewClient().GetPageAsync(url);
        Assert.Contains("This link cannot be used", page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_code_attempt_is_refused()
    {
        var client = portal.NewClient();
        var page = await PortalWithMail.RequestLinkAsync(client, "kari.nordmann@example.no", "en");
        _ = await portal.NextMailAsync("kari.nordmann@example.no");
        var response = await HtmlForm.From(client, page, "form[action*='handler=Code']")
            .Set("Attempt", "forged").Set("Code", "123456").SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("can no longer be used", (await CookieAwareClient.ParsePageAsync(response)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kari.Nordmann@Example.NO", "kari.nordmann@example.no")]
    [InlineData("  ola.hansen@bygg.example.no ", "ola.hansen@bygg.example.no")]
    [InlineData("o'brien+tag@example.ie", "o'brien+tag@example.ie")]
    [InlineData("test@bølgen.no", "test@xn--blgen-vua.no")]
    public void Addresses_are_normalised(string input, string expected)
    {
        Assert.True(EmailAddress.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
    }
}
