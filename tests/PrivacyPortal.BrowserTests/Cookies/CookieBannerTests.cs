using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.Cookies;

// The cookie banner in Debian Chromium against the real app on a Kestrel socket. The app runs in
// Development, so cookie names have no __Host- prefix.
[Collection(BrowserCollectionDefinition.Name)]
public sealed class CookieBannerTests(BrowserFixture browser) : IDisposable
{
    private static readonly string[] StrictlyNecessary = ["pp.af", "pp.auth", "pp.consent", "pp.tempdata"];
    private readonly PortalAppFactory _app = new PortalAppFactory(useKestrel: true).Start();

    public void Dispose() => _app.Dispose();

    [Theory]
    [MemberData(nameof(ViewportPreset.Names), MemberType = typeof(ViewportPreset))]
    public async Task A_fresh_profile_has_only_strictly_necessary_cookies_before_a_choice_and_after_reject_all(string presetName)
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Named(presetName), _app.ServerAddress);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/en/");
        await Assertions.Expect(page.Locator("#cookie-banner")).ToBeVisibleAsync();
        Assert.Subset(StrictlyNecessary.ToHashSet(), await CookieNamesAsync(context));

        await page.Locator("#cookie-reject").ClickAsync();
        await Assertions.Expect(page.Locator("#cookie-banner")).ToHaveCountAsync(0);
        await page.GotoAsync("/nb/");
        await page.GotoAsync("/et/cookies");

        var names = await CookieNamesAsync(context);
        Assert.Contains("pp.consent", names);
        Assert.Subset(StrictlyNecessary.ToHashSet(), names);
        var row = await LatestConsentAsync();
        Assert.Equal("necessary", row.Categories);
    }

    [Fact]
    public async Task Accept_all_then_a_language_switch_writes_the_culture_cookie_and_the_start_page_follows_it()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/en/");

        await page.Locator("#cookie-accept").ClickAsync();
        await Assertions.Expect(page.Locator("#cookie-banner")).ToHaveCountAsync(0);
        Assert.Equal("en", await CookieValueAsync(context, "pp.lang"));

        await page.Locator(".language-switch a[lang=nb]").ClickAsync();
        await page.ExpectAddressAsync("**/nb/");
        Assert.Equal("nb", await CookieValueAsync(context, "pp.lang"));

        await page.GotoAsync("/");
        Assert.EndsWith("/nb/", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_policy_revision_brings_the_banner_back()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/en/");
        await page.Locator("#cookie-accept").ClickAsync();
        await Assertions.Expect(page.Locator("#cookie-banner")).ToHaveCountAsync(0);

        // The same database (so the same key ring and proof rows), the policy with a new revision.
        var policy = _app.Services.GetRequiredService<PolicyCatalog>();
        var revisedFile = Path.Combine(_app.TempDirectory, "revised.policy.json");
        await File.WriteAllTextAsync(revisedFile, (await File.ReadAllTextAsync(policy.File))
            .Replace($"\"revision\": \"{policy.Revision}\"", "\"revision\": \"2027-01-01\"", StringComparison.Ordinal));
        using var revised = new PortalAppFactory(useKestrel: true)
            .With("ConnectionStrings:Portal", $"Data Source={_app.DatabasePath}")
            .With("Policy:File", revisedFile)
            .Start();

        // Cookies belong to the host, not the port: the browser brings its choice along.
        await page.GotoAsync(new Uri(revised.ServerAddress, "/en/").ToString());

        await Assertions.Expect(page.Locator("#cookie-banner")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cookie-banner")).ToContainTextAsync("Our privacy policy has changed since you chose");
        await page.Locator("#cookie-reject").ClickAsync();
        await Assertions.Expect(page.Locator("#cookie-banner")).ToHaveCountAsync(0);
        var rows = await RowsAsync();
        Assert.Equal(["2026-05-01", "2027-01-01"], rows.Select(r => r.PolicyRevision));
    }

    [Fact]
    public async Task Sec_gpc_keeps_analytics_and_marketing_off_and_the_banner_says_so()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress, o =>
            o.ExtraHTTPHeaders = new Dictionary<string, string> { ["Sec-GPC"] = "1" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/en/");

        await Assertions.Expect(page.Locator("#cookie-gpc")).ToContainTextAsync("Global Privacy Control");
        await Assertions.Expect(page.Locator("#cookie-accept")).ToHaveTextAsync("Accept");
        await Screenshots.ScreenshotAsync(page, "cookie-banner-gpc-en-mobile");
        await page.Locator("#cookie-accept").ClickAsync();

        var row = await LatestConsentAsync();
        Assert.Equal("necessary preferences", row.Categories);
        Assert.True(row.GlobalPrivacyControl);
    }

    [Fact]
    public async Task The_banner_and_the_settings_page_work_with_the_keyboard_alone()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/en/");

        await page.Keyboard.PressAsync("Tab"); // the skip link
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("cookie-accept", await FocusedIdAsync(page));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("cookie-reject", await FocusedIdAsync(page));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("cookie-choose", await FocusedIdAsync(page));
        await page.Keyboard.PressAsync("Enter");
        // Polls the address rather than waiting for a load event that may have fired already.
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/en/cookies\?returnUrl="));

        // On the settings page: tick analytics with Space, then save with Enter.
        await page.Locator("#cookie-analytics").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.Locator("#cookie-analytics")).ToBeCheckedAsync();
        while (await FocusedIdAsync(page) != "cookie-save")
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_app.ServerAddress, "/en/").ToString());
        await Assertions.Expect(page.Locator("#cookie-banner")).ToHaveCountAsync(0);
        Assert.Equal("necessary analytics", (await LatestConsentAsync()).Categories);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("nb")]
    [InlineData("et")]
    public async Task The_banner_passes_axe_and_is_photographed_at_both_sizes(string culture)
    {
        foreach (var preset in ViewportPreset.All)
        {
            await using var context = await browser.NewContextAsync(preset, _app.ServerAddress);
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/{culture}/");
            await Assertions.Expect(page.Locator("#cookie-banner")).ToBeVisibleAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways.");
            await Screenshots.ScreenshotAsync(page, $"cookie-banner-{culture}-{preset.Name}");
            await Axe.AssertNoSeriousViolationsAsync(page);

            await page.GotoAsync($"/{culture}/cookies");
            await Screenshots.ScreenshotAsync(page, $"cookie-settings-{culture}-{preset.Name}");
            await Axe.AssertNoSeriousViolationsAsync(page);
        }
    }

    private static async Task<string?> FocusedIdAsync(IPage page) => await page.EvaluateAsync<string?>("() => document.activeElement && document.activeElement.id");

    private static async Task<HashSet<string>> CookieNamesAsync(IBrowserContext context) =>
        [.. (await context.CookiesAsync()).Select(c => c.Name)];

    private static async Task<string?> CookieValueAsync(IBrowserContext context, string name) =>
        (await context.CookiesAsync()).FirstOrDefault(c => c.Name == name)?.Value;

    private async Task<CookieConsentRecord> LatestConsentAsync() => (await RowsAsync())[^1];

    private async Task<List<CookieConsentRecord>> RowsAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<CookieConsentRecord>().AsNoTracking()
            .Where(r => r.RecordedAt >= PrivacyPortal.Testing.Time.ManualTimeProvider.DefaultStart) // not the demo data's own choice (Mari's)
            .OrderBy(r => r.Id).ToListAsync();
    }
}
