using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Cookies;

public sealed class IndexTests : IDisposable
{
    // Development names (the factory runs the app in Development): no __Host- prefix.
    private const string Antiforgery = "pp.af";
    private const string Auth = "pp.auth";
    private const string Consent = "pp.consent";
    private const string Language = "pp.lang";

    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_first_visit_shows_the_banner_with_three_equal_choices_and_sets_only_strictly_necessary_cookies()
    {
        using var client = _factory.CreateCookieAwareClient();

        using var response = await client.GetAsync("/nb/");
        var page = await CookieAwareClient.ParsePageAsync(response);

        var banner = page.QuerySelector("#cookie-banner")!;
        Assert.Equal("Informasjonskapsler", banner.QuerySelector("h2")!.TextContent.Trim());
        Assert.Equal("Godta alle", banner.QuerySelector("#cookie-accept")!.TextContent.Trim());
        Assert.Equal("Avvis alle", banner.QuerySelector("#cookie-reject")!.TextContent.Trim());
        Assert.Equal("Velg selv", banner.QuerySelector("#cookie-choose")!.TextContent.Trim());
        Assert.Equal(
            banner.QuerySelector("#cookie-accept")!.ClassName,
            banner.QuerySelector("#cookie-reject")!.ClassName);
        Assert.Equal(banner.QuerySelector("#cookie-accept")!.ClassName, banner.QuerySelector("#cookie-choose")!.ClassName);
        Assert.Equal("/nb/cookies", page.QuerySelector("#cookie-settings-link")!.GetAttribute("href"));
        Assert.Equal([Antiforgery], SetCookieNames(response));
    }

    [Fact]
    public async Task Reject_all_records_proof_sets_only_the_consent_cookie_and_returns_to_the_page()
    {
        using var client = _factory.CreateCookieAwareClient();
        var page = await client.GetPageAsync("/en/login?returnUrl=%2Fen%2Fmy-data");

        using var response = await HtmlForm.From(client, page, "#cookie-banner form").SubmitAsync("#cookie-reject");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/en/login?returnUrl=%2Fen%2Fmy-data", response.Headers.Location!.OriginalString);
        Assert.Equal([Consent], SetCookieNames(response));
        var row = Assert.Single(await RowsAsync());
        Assert.Equal("necessary", row.Categories);
        Assert.Equal(CookieConsentAction.RejectAll, row.Action);
        Assert.Equal(Policy.Revision, row.PolicyRevision);
        Assert.Equal(_factory.Clock.GetUtcNow(), row.GivenAt);
        Assert.Null(row.SubjectId);
        Assert.False(row.GlobalPrivacyControl);
        Assert.Null((await client.GetPageAsync("/en/")).QuerySelector("#cookie-banner"));
        Assert.Null(client.GetCookie(Language));
    }

    [Fact]
    public async Task Accept_all_writes_the_language_cookie_and_the_start_page_then_follows_it()
    {
        using var client = _factory.CreateCookieAwareClient();
        var page = await client.GetPageAsync("/et/");

        using var response = await HtmlForm.From(client, page, "#cookie-banner form").SubmitAsync("#cookie-accept");

        Assert.Equal("/et/", response.Headers.Location!.OriginalString);
        Assert.Equal([Consent, Language], SetCookieNames(response).Order());
        Assert.Equal("et", client.GetCookie(Language));
        Assert.Equal("necessary preferences analytics marketing", Assert.Single(await RowsAsync()).Categories);

        // A language switch is a plain link; with consent the cookie follows it.
        using (var switched = await client.GetAsync("/nb/"))
        {
            Assert.Contains(Language, SetCookieNames(switched));
        }

        Assert.Equal("nb", client.GetCookie(Language));
        using var start = new HttpRequestMessage(HttpMethod.Get, "/");
        start.Headers.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");
        using var redirect = await client.Http.SendAsync(start);
        Assert.Equal("/nb/", redirect.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Without_preference_consent_the_language_cookie_is_neither_written_nor_read()
    {
        using var client = _factory.CreateCookieAwareClient();
        var page = await client.GetPageAsync("/nb/cookies");
        using (await HtmlForm.From(client, page, "main form").Check("Categories", "analytics").SubmitAsync("#cookie-save"))
        {
        }

        using (var switched = await client.GetAsync("/et/"))
        {
            Assert.DoesNotContain(Language, SetCookieNames(switched));
        }

        // A language cookie from elsewhere (set by hand) is ignored and removed.
        client.Cookies.Add(client.BaseAddress, new System.Net.Cookie(Language, "et"));
        using var start = new HttpRequestMessage(HttpMethod.Get, "/");
        start.Headers.AcceptLanguage.ParseAdd("en");
        using (var redirect = await client.Http.SendAsync(start))
        {
            Assert.Equal("/en/", redirect.Headers.Location!.OriginalString);
        }

        using (var removed = await client.GetAsync("/en/"))
        {
            Assert.Contains(removed.Headers.GetValues("Set-Cookie"), c => c.StartsWith(Language + "=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Each_category_can_be_given_and_withdrawn_on_the_settings_page_and_the_language_cookie_goes_with_preferences()
    {
        using var client = _factory.CreateCookieAwareClient();

        var page = await client.GetPageAsync("/en/cookies");
        Assert.Null(page.QuerySelector("#cookie-banner")); // the page itself offers the choices
        Assert.True(page.QuerySelector("#cookie-necessary")!.HasAttribute("disabled"));
        Assert.All(page.QuerySelectorAll("input[name=Categories]"), box => Assert.False(box.HasAttribute("checked"), box.Id));
        Assert.Contains("Up to 24 months", page.QuerySelector("#cookie-analytics-purpose")!.TextContent, StringComparison.Ordinal);

        using (var saved = await HtmlForm.From(client, page, "main form").Check("Categories", "preferences").SubmitAsync("#cookie-save"))
        {
            Assert.Equal("/en/cookies?status=saved", saved.Headers.Location!.OriginalString);
            Assert.Equal("en", client.GetCookie(Language));
        }

        page = await client.GetPageAsync("/en/cookies?status=saved");
        Assert.True(page.QuerySelector("#cookie-preferences")!.HasAttribute("checked"));
        using (var withdrawn = await HtmlForm.From(client, page, "main form").Uncheck("Categories", "preferences").Check("Categories", "marketing").SubmitAsync("#cookie-save"))
        {
            Assert.Contains(withdrawn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(Language + "=;", StringComparison.Ordinal));
        }

        Assert.Null(client.GetCookie(Language));
        page = await client.GetPageAsync("/en/cookies");
        using (var rejected = await HtmlForm.From(client, page, "main form").SubmitAsync("#cookie-reject"))
        {
        }

        var rows = await RowsAsync();
        Assert.Equal(["necessary preferences", "necessary marketing", "necessary"], rows.Select(r => r.Categories));
        Assert.Equal([CookieConsentAction.Choose, CookieConsentAction.Choose, CookieConsentAction.RejectAll], rows.Select(r => r.Action));
        Assert.Single(rows.Select(r => r.ConsentId).Distinct());
        var history = (await client.GetPageAsync("/en/cookies")).QuerySelectorAll("#cookie-history tbody tr");
        Assert.Equal(3, history.Length);
        Assert.Contains("Strictly necessary only", history[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_choice_twice_is_one_record()
    {
        using var client = _factory.CreateCookieAwareClient();
        var page = await client.GetPageAsync("/en/");
        var form = HtmlForm.From(client, page, "#cookie-banner form");

        using (await form.SubmitAsync("#cookie-accept"))
        using (await form.SubmitAsync("#cookie-accept"))
        {
        }

        Assert.Single(await RowsAsync());
    }

    [Theory]
    [InlineData("save", "tracking-pixels", "One of the categories you sent does not exist")]
    [InlineData("accept-everything", null, "We did not understand that choice")]
    [InlineData(null, null, "We did not understand that choice")]
    public async Task Unknown_categories_and_choices_get_a_clear_message_and_nothing_is_stored(string? choice, string? category, string message)
    {
        using var client = _factory.CreateCookieAwareClient();
        var form = HtmlForm.From(client, await client.GetPageAsync("/en/cookies"), "main form");
        var fields = form.Fields.ToList();
        if (choice is not null)
        {
            fields.Add(KeyValuePair.Create("Choice", choice));
        }

        if (category is not null)
        {
            fields.Add(KeyValuePair.Create("Categories", category));
        }

        using var response = await client.PostFormAsync("/en/cookies", fields);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await RowsAsync());
        Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(Consent, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_forged_post_is_refused_and_the_ticks_are_shown_again()
    {
        using var client = _factory.CreateCookieAwareClient();
        await client.GetPageAsync("/en/cookies");

        using var response = await client.PostFormAsync("/en/cookies", [KeyValuePair.Create("Choice", "save"), KeyValuePair.Create("Categories", "analytics")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("The form had expired", html, StringComparison.Ordinal);
        Assert.Matches("id=\"cookie-analytics\"[^>]*checked", html);
        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task The_banner_returns_after_the_reconsent_period()
    {
        using var client = _factory.CreateCookieAwareClient();
        using (await HtmlForm.From(client, await client.GetPageAsync("/en/"), "#cookie-banner form").SubmitAsync("#cookie-reject"))
        {
        }

        _factory.Clock.Advance(TimeSpan.FromDays(360));
        Assert.Null((await client.GetPageAsync("/en/")).QuerySelector("#cookie-banner"));
        _factory.Clock.Advance(TimeSpan.FromDays(10));
        var banner = (await client.GetPageAsync("/en/")).QuerySelector("#cookie-banner");
        Assert.NotNull(banner);
        Assert.Contains("It is a while since you chose", banner.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_banner_returns_when_the_policy_revision_changes()
    {
        using var client = _factory.CreateCookieAwareClient();
        using (await HtmlForm.From(client, await client.GetPageAsync("/en/"), "#cookie-banner form").SubmitAsync("#cookie-accept"))
        {
        }

        // The same database (and so the same key ring), the policy file with a new revision.
        var policyFile = Path.Combine(_factory.TempDirectory, "revised.policy.json");
        var original = File.ReadAllText(Policy.File);
        File.WriteAllText(policyFile, original.Replace($"\"revision\": \"{Policy.Revision}\"", "\"revision\": \"2026-12-01\"", StringComparison.Ordinal));
        using var revised = new PortalAppFactory()
            .SharingDatabaseWith(_factory)
            .With("Policy:File", policyFile);
        using var sameBrowser = revised.CreateCookieAwareClient();
        sameBrowser.Cookies.Add(sameBrowser.BaseAddress, new System.Net.Cookie(Consent, client.GetCookie(Consent)));

        var banner = (await sameBrowser.GetPageAsync("/en/")).QuerySelector("#cookie-banner");

        Assert.NotNull(banner);
        Assert.Contains("Our privacy policy has changed since you chose", banner.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Global_privacy_control_keeps_analytics_and_marketing_off_and_the_banner_says_so()
    {
        using var client = _factory.CreateCookieAwareClient();
        client.Http.DefaultRequestHeaders.Add("Sec-GPC", "1");
        var page = await client.GetPageAsync("/en/");

        var banner = page.QuerySelector("#cookie-banner")!;
        Assert.Contains("Global Privacy Control", banner.QuerySelector("#cookie-gpc")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Analytics cookies, Marketing cookies", banner.QuerySelector("#cookie-gpc")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Accept", banner.QuerySelector("#cookie-accept")!.TextContent.Trim());
        using (await HtmlForm.From(client, page, "#cookie-banner form").SubmitAsync("#cookie-accept"))
        {
        }

        var row = Assert.Single(await RowsAsync());
        Assert.Equal("necessary preferences", row.Categories);
        Assert.True(row.GlobalPrivacyControl);

        // Switching them on one by one stays possible.
        var settings = await client.GetPageAsync("/en/cookies");
        Assert.NotNull(settings.QuerySelector("#cookie-gpc"));
        using (await HtmlForm.From(client, settings, "main form").Check("Categories", "analytics").SubmitAsync("#cookie-save"))
        {
        }

        Assert.Equal("necessary preferences analytics", (await RowsAsync())[^1].Categories);
    }

    [Fact]
    public async Task A_signed_in_persons_choice_is_stored_on_the_account_and_applied_on_a_new_browser_with_their_language()
    {
        using var laptop = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, laptop, PortalTestSession.Kari);
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
        using (await HtmlForm.From(laptop, await laptop.GetPageAsync("/nb/my-data"), "#cookie-banner form").SubmitAsync("#cookie-accept"))
        {
        }

        var choice = Assert.Single(await RowsAsync());
        Assert.Equal(kari, choice.SubjectId);

        using var phone = _factory.CreateCookieAwareClient();
        Assert.NotNull((await phone.GetPageAsync("/en/")).QuerySelector("#cookie-banner"));
        await PortalTestSession.SignInAsync(_factory, phone, PortalTestSession.Kari);

        var first = await phone.GetPageAsync("/en/my-data");
        Assert.Null(first.QuerySelector("#cookie-banner"));
        // The phone was given the account's choice, not asked: the first page says so, once, with a way to change it.
        Assert.Contains("This browser now uses the cookie choice saved with your account.", first.QuerySelector("#cookie-choice-applied")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/en/cookies", first.QuerySelector("#cookie-choice-applied a")!.GetAttribute("href"));
        Assert.Null((await phone.GetPageAsync("/en/my-data")).QuerySelector("#cookie-choice-applied"));
        var rows = await RowsAsync();
        Assert.Equal(2, rows.Count);
        Assert.Equal(CookieConsentAction.AdoptedFromAccount, rows[1].Action);
        Assert.Equal(choice.Categories, rows[1].Categories);
        Assert.Equal(choice.GivenAt, rows[1].GivenAt);
        Assert.Equal(kari, rows[1].SubjectId);
        var history = (await phone.GetPageAsync("/en/cookies")).QuerySelectorAll("#cookie-history tbody tr");
        Assert.Equal(2, history.Length);
    }

    [Fact]
    public async Task A_browsers_choice_made_before_signing_in_becomes_the_accounts()
    {
        using var client = _factory.CreateCookieAwareClient();
        using (await HtmlForm.From(client, await client.GetPageAsync("/en/"), "#cookie-banner form").SubmitAsync("#cookie-reject"))
        {
        }

        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Mari);
        // The browser's own choice stands: nothing to tell.
        Assert.Null((await client.GetPageAsync("/en/my-data")).QuerySelector("#cookie-choice-applied"));

        var rows = await RowsAsync();
        Assert.Equal([CookieConsentAction.RejectAll, CookieConsentAction.LinkedToAccount], rows.Select(r => r.Action));
        Assert.Equal(rows[0].ConsentId, rows[1].ConsentId);
        Assert.Equal(await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Mari), rows[1].SubjectId);
    }

    [Fact]
    public async Task Every_cookie_the_app_sets_along_a_whole_visit_is_strictly_necessary_until_preferences_are_accepted()
    {
        using var client = _factory.CreateCookieAwareClient();
        var names = new HashSet<string>(StringComparer.Ordinal);
        async Task Visit(string url)
        {
            using var response = await client.GetAsync(url);
            names.UnionWith(SetCookieNames(response));
        }

        foreach (var url in new[] { "/", "/en/", "/nb/", "/et/login", "/en/cookies", "/en/does-not-exist" })
        {
            await Visit(url);
        }

        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Ola);
        foreach (var url in new[] { "/en/my-data", "/en/preferences", "/nb/preferences" })
        {
            await Visit(url);
        }

        using (var rejected = await HtmlForm.From(client, await client.GetPageAsync("/en/preferences"), "#cookie-banner form").SubmitAsync("#cookie-reject"))
        {
            names.UnionWith(SetCookieNames(rejected));
        }

        await Visit("/et/preferences");
        Assert.Subset(new HashSet<string> { Antiforgery, Auth, Consent }, names);
    }

    private PolicyCatalog Policy => _factory.Services.GetRequiredService<PolicyCatalog>();

    private static List<string> SetCookieNames(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? [.. values.Select(v => v.Split('=')[0]).Distinct()]
            : [];

    private Task<List<CookieConsentRecord>> RowsAsync() =>
        PortalTestSession.QueryAsync(_factory, db => db.Set<CookieConsentRecord>().AsNoTracking().Where(r => r.RecordedAt >= PortalTestSession.TestStart).OrderBy(r => r.Id).ToListAsync());
}
