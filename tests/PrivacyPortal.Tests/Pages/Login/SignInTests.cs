using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Login;

/// <summary>The magic-link journey through a real SMTP server, as DESIGN.md's sign-in rules require.</summary>
public sealed class SignInTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    public static TheoryData<string, string, string> People => new()
    {
        { "kari.nordmann@example.no", "nb", "Kari Nordmann" },
        { "mari.maasikas@example.ee", "et", "Mari Maasikas" },
        { "ola.hansen@bygg.example.no", "en", "Hansen Bygg AS" },
    };

    [Theory]
    [MemberData(nameof(People))]
    public async Task A_person_signs_in_by_the_emailed_link_and_sees_their_data(string email, string culture, string expectedOnPage)
    {
        var client = portal.NewClient();
        var sent = await PortalWithMail.RequestLinkAsync(client, email, culture);
        Assert.Equal(culture, sent.DocumentElement.GetAttribute("lang"));

        var mail = await portal.NextMailAsync(email);
        Assert.StartsWith(portal.App.ServerAddress.GetLeftPart(UriPartial.Authority), mail.FindLink("/login/confirm").AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains($"/{culture}/login/confirm?token=", mail.FindLink("/login/confirm").AbsoluteUri, StringComparison.Ordinal);
        Assert.Matches("^[0-9]{6}$", mail.FindCode());
        Assert.Contains("Innore OÜ", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("INNORE AS", mail.HtmlBody, StringComparison.Ordinal);

        var response = await PortalWithMail.ConfirmAsync(client, mail);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/{culture}/my-data", response.Headers.Location?.OriginalString);

        var page = await client.GetPageAsync($"/{culture}/my-data");
        Assert.Contains(expectedOnPage, page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(People))]
    public async Task The_code_from_the_mail_signs_in_the_tab_that_asked(string email, string culture, string expectedOnPage)
    {
        var desktop = portal.NewClient();
        var page = await PortalWithMail.RequestLinkAsync(desktop, email, culture);
        var mail = await portal.NextMailAsync(email);

        var codeForm = HtmlForm.From(desktop, page, "form[action*='handler=Code']");
        var response = await codeForm.Set("Code", mail.FindCode()).SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/{culture}/my-data", response.Headers.Location?.OriginalString);
        var myData = await desktop.GetPageAsync($"/{culture}/my-data");
        Assert.Contains(expectedOnPage, myData.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_wrong_codes_kill_the_code_even_for_the_right_one()
    {
        var client = portal.NewClient();
        var page = await PortalWithMail.RequestLinkAsync(client, "mari.maasikas@example.ee", "en");
        var mail = await portal.NextMailAsync("mari.maasikas@example.ee");
        var right = mail.FindCode();
        var wrong = right == "000000" ? "111111" : "000000";

        for (var i = 1; i <= 5; i++)
        {
            var response = await HtmlForm.From(client, page, "form[action*='handler=Code']").Set("Code", wrong).SubmitAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            page = await CookieAwareClient.ParsePageAsync(response);
            var alert = page.QuerySelector("[role=alert]")!.TextContent;
            Assert.Contains(i switch { 4 => "try once more", < 5 => $"try {5 - i} more times", _ => "Too many wrong codes" }, alert, StringComparison.Ordinal);
        }

        var last = await HtmlForm.From(client, page, "form[action*='handler=Code']").Set("Code", right).SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        Assert.Contains("Too many wrong codes", (await CookieAwareClient.ParsePageAsync(last)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/en/my-data")).StatusCode);
    }

    [Fact]
    public async Task A_used_link_cannot_be_used_again()
    {
        var client = portal.NewClient();
        await PortalWithMail.RequestLinkAsync(client, "ola.hansen@bygg.example.no", "en");
        var mail = await portal.NextMailAsync("ola.hansen@bygg.example.no");
        Assert.Equal(HttpStatusCode.Redirect, (await PortalWithMail.ConfirmAsync(client, mail)).StatusCode);

        var other = portal.NewClient();
        var page = await other.GetPageAsync(mail.FindLink("/login/confirm").PathAndQuery);
        Assert.Contains("already been used", page.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("main form[method=post] input[name=Token]"));
    }

    [Fact]
    public async Task Mail_scanners_that_send_HEAD_and_GET_without_cookies_leave_the_link_usable()
    {
        var client = portal.NewClient();
        await PortalWithMail.RequestLinkAsync(client, "kari.nordmann@example.no", "nb");
        var mail = await portal.NextMailAsync("kari.nordmann@example.no");
        var link = mail.FindLink("/login/confirm").PathAndQuery;

        for (var i = 0; i < 3; i++)
        {
            using var scanner = portal.NewClient();
            Assert.Equal(HttpStatusCode.OK, (await scanner.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, link))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await scanner.GetAsync(link)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await PortalWithMail.ConfirmAsync(client, mail)).StatusCode);
    }

    [Fact]
    public async Task Of_many_concurrent_posts_of_one_link_exactly_one_signs_in()
    {
        await PortalWithMail.RequestLinkAsync(portal.NewClient(), "mari.maasikas@example.ee", "et");
        var mail = await portal.NextMailAsync("mari.maasikas@example.ee");
        var link = mail.FindLink("/login/confirm").PathAndQuery;

        var forms = new List<HtmlForm>();
        for (var i = 0; i < 10; i++)
        {
            forms.Add(await HtmlForm.LoadAsync(portal.NewClient(), link, "main form[method=post]"));
        }

        var responses = await Task.WhenAll(forms.Select(f => f.SubmitAsync()));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Redirect));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
    }

    [Fact]
    public async Task A_link_expires_after_15_minutes()
    {
        using var app = new PortalAppFactory(portal.Smtp).Start();
        var client = app.CreateCookieAwareClient();
        var email = "ola.hansen@bygg.example.no";
        await PortalWithMail.RequestLinkAsync(client, email, "en");
        var mail = await portal.NextMailAsync(email);
        var form = await HtmlForm.LoadAsync(client, mail.FindLink("/login/confirm").PathAndQuery, "main form[method=post]");

        app.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        var response = await form.SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("expired", (await CookieAwareClient.ParsePageAsync(response)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        var again = await client.GetPageAsync(mail.FindLink("/login/confirm").PathAndQuery);
        Assert.Contains("expired", again.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_screen_and_a_mail_saying_nothing_is_held()
    {
        var known = await PortalWithMail.RequestLinkAsync(portal.NewClient(), "kari.nordmann@example.no", "nb");
        _ = await portal.NextMailAsync("kari.nordmann@example.no");
        var unknown = await PortalWithMail.RequestLinkAsync(portal.NewClient(), "nobody.here@example.no", "nb");

        static string Shape(AngleSharp.Dom.IDocument page, string email) =>
            page.QuerySelector("main")!.TextContent.Replace(email, "{email}", StringComparison.Ordinal).Trim();
        Assert.Equal(Shape(known, "kari.nordmann@example.no"), Shape(unknown, "nobody.here@example.no"));

        var mail = await portal.NextMailAsync("nobody.here@example.no");
        Assert.Null(mail.TryFindLink("/login/confirm"));
        Assert.Null(mail.TryFindCode());
        Assert.Contains("info@innore.eu", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("ingen personopplysninger", mail.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example/steal")]
    [InlineData("javascript:alert(1)")]
    public async Task Return_urls_that_leave_the_portal_are_ignored(string returnUrl)
    {
        var client = portal.NewClient();
        await PortalWithMail.RequestLinkAsync(client, "mari.maasikas@example.ee", "en", returnUrl);
        var response = await PortalWithMail.ConfirmAsync(client, await portal.NextMailAsync("mari.maasikas@example.ee"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/en/my-data", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_local_return_url_is_honoured()
    {
        var client = portal.NewClient();
        await PortalWithMail.RequestLinkAsync(client, "mari.maasikas@example.ee", "et", "/et/my-data?category=innore-ee%2Forders&p=1");
        var response = await PortalWithMail.ConfirmAsync(client, await portal.NextMailAsync("mari.maasikas@example.ee"));
        Assert.Equal("/et/my-data?category=innore-ee%2Forders&p=1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Links_are_built_from_the_configured_address_never_the_Host_header()
    {
        var client = portal.NewClient();
        var form = await HtmlForm.LoadAsync(client, "/en/login", "main form[method=post]");
        client.Http.DefaultRequestHeaders.Host = "evil.example";
        await form.Set("Input.Email", "kari.nordmann@example.no").SubmitAsync();
        var mail = await portal.NextMailAsync("kari.nordmann@example.no");
        Assert.Equal(portal.App.ServerAddress.Host, mail.FindLink("/login/confirm").Host);
        Assert.DoesNotContain("evil.example", mail.TextBody + mail.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var cookie = client.Cookies.GetCookies(client.BaseAddress).Single(c => c.Name == "pp.auth");
        var stolen = portal.NewClient();
        stolen.Cookies.Add(client.BaseAddress, new Cookie(cookie.Name, cookie.Value, "/"));
        Assert.Equal(HttpStatusCode.OK, (await stolen.GetAsync("/nb/my-data")).StatusCode);

        var page = await client.GetPageAsync("/nb/my-data");
        var signOut = await HtmlForm.From(client, page, "form[action='/nb/logout']").SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await stolen.GetAsync("/nb/my-data")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/nb/my-data")).StatusCode);
    }

    [Fact]
    public async Task Tokens_and_codes_are_stored_only_as_hashes()
    {
        await PortalWithMail.RequestLinkAsync(portal.NewClient(), "ola.hansen@bygg.example.no", "en");
        var mail = await portal.NextMailAsync("ola.hansen@bygg.example.no");
        var token = mail.FindLink("/login/confirm").Query.Split("token=")[1];
        var code = mail.FindCode();

        using var scope = portal.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var rows = await db.MagicLinkTokens.AsNoTracking().ToListAsync();
        Assert.All(rows, r =>
        {
            Assert.DoesNotContain(token, r.TokenHash + r.CodeHash, StringComparison.Ordinal);
            Assert.NotEqual(code, r.CodeHash);
            Assert.Equal(64, r.TokenHash.Length);
        });
        // Once delivered, the mail's copy in the outbox no longer holds the link or the code.
        var outbox = await db.Outbox.AsNoTracking().Where(m => m.Kind == "sign-in" && m.Status == OutboxStatus.Sent).ToListAsync();
        Assert.NotEmpty(outbox);
        Assert.All(outbox, m => Assert.DoesNotContain(token, m.TextBody + m.HtmlBody, StringComparison.Ordinal));
    }
}
