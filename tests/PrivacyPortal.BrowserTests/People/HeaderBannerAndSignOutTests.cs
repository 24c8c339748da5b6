using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.People;

/// <summary>
/// On a 390 px phone: the cookie banner is a sheet that leaves the confirm page's button in view and
/// clickable; the signed-in header is one compact row whose menu opens by keyboard; signing out ends
/// on a page that says so, and the front page knows whether one is signed in.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed class HeaderBannerAndSignOutTests(BrowserFixture browser) : IDisposable
{
    private readonly PortalAppFactory _app = new PortalAppFactory(useKestrel: true).Start();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("nb", "Du er logget ut")]
    [InlineData("et", "Olete välja logitud")]
    [InlineData("en", "You are signed out")]
    public async Task On_a_phone_the_banner_leaves_the_sign_in_button_free_the_header_is_one_row_and_sign_out_says_so(string culture, string signedOut)
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress);
        var page = await context.NewPageAsync();

        // The confirm page of a magic link, opened with no cookie choice made yet: the banner is up.
        await page.GotoAsync($"/{culture}/login");
        _app.Clock.Advance(TimeSpan.FromSeconds(1));
        await page.FillAsync("input[name='Input.Email']", "kari.nordmann@example.no");
        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync("#code");
        await page.GotoAsync(await Preferences.BrowserSignIn.ConfirmLinkAsync(_app, "kari.nordmann@example.no"));
        var banner = page.Locator("#cookie-banner");
        await Assertions.Expect(banner).ToBeVisibleAsync();
        var confirm = page.Locator("main form button[type=submit]");
        var sheet = (await banner.BoundingBoxAsync())!;
        var button = (await confirm.BoundingBoxAsync())!;
        Assert.True(button.Y + button.Height <= sheet.Y, $"The banner (from {sheet.Y} px) covers the sign-in button (to {button.Y + button.Height} px).");
        Assert.True(sheet.Y + sheet.Height <= 844 + 1 && sheet.Height < 844 * 0.6, $"The banner is {sheet.Height} px tall at {sheet.Y} px.");
        await Screenshots.ScreenshotAsync(page, $"confirm-with-banner-{culture}-mobile", fullPage: false);
        await Axe.AssertNoSeriousViolationsAsync(page);
        // Playwright refuses to click what another element covers: this is a real person's tap.
        await confirm.ClickAsync();
        await page.ExpectAddressAsync(new Regex("/my-data$"));
        await page.Locator("#cookie-reject").ClickAsync();

        // One compact header row: the title and "Menu".
        var header = (await page.Locator(".site-header").BoundingBoxAsync())!;
        Assert.True(header.Height <= 80, $"The signed-in header is {header.Height} px tall.");
        await Assertions.Expect(page.Locator(".site-nav")).ToBeHiddenAsync();
        var menu = page.Locator("button[data-menu-toggle]");
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "false");
        await menu.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(menu).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(page.Locator(".site-nav")).ToBeVisibleAsync();
        foreach (var link in await page.Locator(".language-switch a").AllAsync())
        {
            var box = (await link.BoundingBoxAsync())!;
            Assert.True(box.Height >= 44 && box.Width >= 44, $"A language link is {box.Width}×{box.Height} px.");
        }

        await Screenshots.ScreenshotAsync(page, $"header-menu-open-{culture}-mobile", fullPage: false);
        await Axe.AssertNoSeriousViolationsAsync(page);
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator(".site-nav")).ToBeHiddenAsync();
        await Assertions.Expect(menu).ToBeFocusedAsync();

        await page.GotoAsync($"/{culture}/");
        await Assertions.Expect(page.Locator("[data-signed-in]")).ToBeVisibleAsync();
        await menu.ClickAsync();
        await page.Locator($"form[action='/{culture}/logout'] button").ClickAsync();

        await page.ExpectAddressAsync(new Regex($"/{culture}/logout$"));
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync(signedOut);
        await Assertions.Expect(page.Locator("#sign-in-again")).ToBeVisibleAsync();
        await Screenshots.ScreenshotAsync(page, $"signed-out-{culture}-mobile", fullPage: false);
        await Axe.AssertNoSeriousViolationsAsync(page);
        await page.GotoAsync($"/{culture}/my-data");
        await page.ExpectAddressAsync(new Regex($"/{culture}/login"));
        await page.GotoAsync($"/{culture}/");
        await Assertions.Expect(page.Locator("[data-signed-in]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Without_javascript_the_menu_link_opens_the_menu()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress, o => o.JavaScriptEnabled = false);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/nb/");
        await page.Locator("#cookie-reject").ClickAsync();
        // Signed out, the languages are in sight for a first visit.
        await Assertions.Expect(page.Locator(".language-switch a[lang=et]")).ToBeVisibleAsync();
        await Preferences.BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no", "nb");
        await Assertions.Expect(page.Locator(".site-nav")).ToBeHiddenAsync();

        await page.Locator("a[data-menu-toggle]").ClickAsync();

        await Assertions.Expect(page.Locator(".site-nav a[href='/nb/preferences']")).ToBeVisibleAsync();
        await page.Locator(".site-nav a[href='/nb/preferences']").ClickAsync();
        await page.ExpectAddressAsync(new Regex("/nb/preferences$"));
    }
}
