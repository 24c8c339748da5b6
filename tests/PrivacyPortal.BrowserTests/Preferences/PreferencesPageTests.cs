using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.Preferences;

[Collection(BrowserCollectionDefinition.Name)]
public sealed class PreferencesPageTests(BrowserFixture browser) : IDisposable
{
    private readonly PortalAppFactory _app = new PortalAppFactory(useKestrel: true).Start();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("en")]
    [InlineData("nb")]
    [InlineData("et")]
    public async Task The_preferences_page_passes_axe_and_is_photographed_at_both_sizes(string culture)
    {
        foreach (var preset in ViewportPreset.All)
        {
            await using var context = await browser.NewContextAsync(preset, _app.ServerAddress);
            var page = await context.NewPageAsync();
            await page.GotoAsync($"/{culture}/");
            await page.Locator("#cookie-reject").ClickAsync();
            await BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no", culture);

            await page.GotoAsync($"/{culture}/preferences");
            // Some history to show: one objection and one consent.
            foreach (var button in new[] { "innore-no/DirectMarketing/sms", "innore-ee/Consent/prospect-marketing" })
            {
                // Each press is saved and the page (swapped in by htmx) settles before the next one.
                await page.RunAndWaitForResponseAsync(
                    () => page.Locator($"button[data-preference='{button}']").ClickAsync(),
                    r => r.Url.Contains("/preferences?status=", StringComparison.Ordinal));
                await Assertions.Expect(page.Locator("[role=status]")).ToBeVisibleAsync();
            }

            // With her newsletter subscription from the demo data.
            await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(preset == ViewportPreset.Mobile ? 3 : 5);

            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways.");
            await Screenshots.ScreenshotAsync(page, $"preferences-{culture}-{preset.Name}");
            await Axe.AssertNoSeriousViolationsAsync(page);
        }
    }

    [Fact]
    public async Task Without_javascript_every_button_still_works()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress, o => o.JavaScriptEnabled = false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/en/");
        await page.Locator("#cookie-reject").ClickAsync();
        await BrowserSignIn.SignInAsync(page, _app, "ola.hansen@bygg.example.no");
        await page.GotoAsync("/en/preferences");

        await page.Locator("#object-all-innore-no").ClickAsync();

        await page.ExpectAddressAsync("**/en/preferences?status=saved");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Your choice is saved");
        await using var scope = _app.Services.CreateAsyncScope();
        var count = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PrivacyPortal.Testing.Time.ManualTimeProvider.DefaultStart);
        Assert.Equal(3, count); // the three channels at INNORE AS; nothing else was on there
    }

    [Theory]
    [InlineData("en", "Innore OÜ – ")]
    [InlineData("nb", "Innore OÜ – ")]
    public async Task With_javascript_a_change_swaps_only_its_item_keeps_the_place_and_focus_and_says_what_changed(string culture, string said)
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/{culture}/");
        await page.Locator("#cookie-reject").ClickAsync();
        await BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no", culture);
        await page.GotoAsync($"/{culture}/preferences");
        var rows = await page.Locator("#history tbody tr").CountAsync();
        // Marks on what must not be replaced: the company's heading beside the item, and the other company.
        await page.EvaluateAsync("() => { document.getElementById('c-innore-ee').dataset.kept = 'yes'; document.getElementById('company-innore-no').dataset.kept = 'yes'; }");

        var button = page.Locator("#pref-innore-ee-prospect-marketing-button");
        var stateBefore = await page.Locator("#pref-innore-ee-prospect-marketing .preference__state").InnerTextAsync();
        await button.ScrollIntoViewIfNeededAsync();
        await button.FocusAsync();
        var scrolled = await page.EvaluateAsync<double>("() => window.scrollY");
        Assert.True(scrolled > 300, $"The item should be well down the phone page, at {scrolled} px.");
        // Where the button is on the screen: the notice appearing above may scroll the page, never the button away.
        var onScreen = (await button.BoundingBoxAsync())!.Y;

        await page.RunAndWaitForResponseAsync(
            () => page.Keyboard.PressAsync("Enter"),
            r => r.Url.Contains("/preferences?status=saved&changed=", StringComparison.Ordinal));

        await Assertions.Expect(page.Locator("#preferences-status")).ToContainTextAsync(said);
        await Assertions.Expect(page.Locator("#pref-innore-ee-prospect-marketing-button")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#pref-innore-ee-prospect-marketing .preference__state")).Not.ToHaveTextAsync(stateBefore);
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(rows + 1);
        Assert.Equal("yes", await page.Locator("#c-innore-ee").GetAttributeAsync("data-kept"));
        Assert.Equal("yes", await page.Locator("#company-innore-no").GetAttributeAsync("data-kept"));
        var after = (await page.Locator("#pref-innore-ee-prospect-marketing-button").BoundingBoxAsync())!.Y;
        Assert.True(Math.Abs(after - onScreen) < 40, $"The button moved on the screen from {onScreen} px to {after} px.");

        // The keyboard goes on from the same button: a second Enter changes it back.
        await page.RunAndWaitForResponseAsync(
            () => page.Keyboard.PressAsync("Enter"),
            r => r.Url.Contains("/preferences?status=saved&changed=", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#pref-innore-ee-prospect-marketing .preference__state")).ToHaveTextAsync(stateBefore);
        await Assertions.Expect(page.Locator("#pref-innore-ee-prospect-marketing-button")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task With_javascript_an_expired_form_shows_its_message_in_place()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/en/");
        await page.Locator("#cookie-reject").ClickAsync();
        await BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no");
        await page.GotoAsync("/en/preferences");
        // What a form left open past a restart with a new key ring sends: a token the server no longer reads.
        await page.EvaluateAsync("""
            () => {
              document.querySelectorAll('input[name="__RequestVerificationToken"]').forEach(i => i.value = 'stale');
              document.querySelector('meta[name="request-verification-token"]').setAttribute('content', 'stale');
            }
            """);

        var response = await page.RunAndWaitForResponseAsync(
            () => page.Locator("button[data-preference='innore-no/Consent/prospect-marketing']").ClickAsync(),
            r => r.Url.Contains("/preferences", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.Equal(400, response.Status);

        await Assertions.Expect(page.Locator("#preferences [role=alert]")).ToContainTextAsync("The form had expired, so nothing was changed.");
        await Assertions.Expect(page.Locator("#pending-confirm")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(1);
        await using var scope = _app.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PrivacyPortal.Testing.Time.ManualTimeProvider.DefaultStart));
    }

    [Fact]
    public async Task With_javascript_an_ended_session_takes_the_whole_page_to_sign_in_and_keeps_the_change()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/en/");
        await page.Locator("#cookie-reject").ClickAsync();
        await BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no");
        await page.GotoAsync("/en/preferences");
        _app.Clock.Advance(TimeSpan.FromMinutes(31)); // past the idle timeout

        await page.Locator("button[data-preference='innore-no/DirectMarketing/sms']").ClickAsync();

        await page.ExpectAddressAsync(new System.Text.RegularExpressions.Regex("/en/login\\?returnUrl=%2Fen%2Fpreferences%3Fpending%3D"));
        await Assertions.Expect(page.Locator("input[name='Input.Email']")).ToBeVisibleAsync();
        Assert.Null(await page.QuerySelectorAsync("#preferences"));
        await using var scope = _app.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Set<MarketingPreferenceRecord>().CountAsync(r => r.OccurredAt >= PrivacyPortal.Testing.Time.ManualTimeProvider.DefaultStart));
    }

    [Fact]
    public async Task The_unsubscribe_page_passes_axe_and_works_with_the_keyboard()
    {
        Guid kari;
        UnsubscribeLink link;
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            kari = await db.Users.Where(u => u.Email == "kari.nordmann@example.no").Select(u => u.Id).SingleAsync();
            link = await scope.ServiceProvider.GetRequiredService<UnsubscribeLinks>()
                .CreateAsync(kari, PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Email), "innore-no", default);
        }

        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync(link.Url.PathAndQuery);
        await Screenshots.ScreenshotAsync(page, "unsubscribe-nb-mobile");
        await Axe.AssertNoSeriousViolationsAsync(page);

        await page.Locator("#unsubscribe").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Du er meldt av");
        await Axe.AssertNoSeriousViolationsAsync(page);
    }
}
