using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;

namespace PrivacyPortal.BrowserTests.Journeys;

/// <summary>
/// The foundation's journey as a person makes it: pick a language, ask for a link, open it from
/// the mail, press the button, see the data held, on a phone and on a desktop.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed class SignInJourneyTests(BrowserFixture browser, PortalServer portal) : IClassFixture<PortalServer>
{
    public static TheoryData<string, string, string> Journeys()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var preset in ViewportPreset.All)
        {
            data.Add(preset.Name, "nb", "kari.nordmann@example.no");
            data.Add(preset.Name, "et", "mari.maasikas@example.ee");
            data.Add(preset.Name, "en", "ola.hansen@bygg.example.no");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Journeys))]
    public async Task A_person_signs_in_by_magic_link_and_sees_their_data(string presetName, string culture, string email)
    {
        var preset = ViewportPreset.Named(presetName);
        await using var context = await browser.NewContextAsync(preset, portal.Address);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add(m.Text); } };

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = NativeName(culture), Exact = true }).ClickAsync();
        await page.ExpectAddressAsync($"**/{culture}/");
        await page.GotoAsync($"/{culture}/login");
        await Expect(page);
        await Screenshots.ScreenshotAsync(page, $"login-{culture}-{preset.Name}");
        await Axe.AssertNoSeriousViolationsAsync(page);

        var before = portal.Smtp.All.Count(m => m.IsAddressedTo(email));
        await page.Locator("#Input_Email").FillAsync(email);
        await page.Locator("#Input_Email").PressAsync("Enter");
        await page.Locator("#code").WaitForAsync();
        await Screenshots.ScreenshotAsync(page, $"check-email-{culture}-{preset.Name}");
        await Axe.AssertNoSeriousViolationsAsync(page);

        var mail = await portal.Smtp.WaitForMailAsync(email, m => portal.Smtp.All.Where(x => x.IsAddressedTo(email)).ToList().IndexOf(m) >= before);
        var link = mail.FindLink("/login/confirm");
        await page.GotoAsync(link.AbsoluteUri);
        await Screenshots.ScreenshotAsync(page, $"confirm-{culture}-{preset.Name}");
        await Axe.AssertNoSeriousViolationsAsync(page);

        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.ExpectAddressAsync($"**/{culture}/my-data");
        Assert.Equal(culture, await page.Locator("html").GetAttributeAsync("lang"));
        Assert.True(await page.Locator("section.controller").CountAsync() >= 1);
        Assert.True(
            await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"my-data is wider than {preset.Width}px");
        await Screenshots.ScreenshotAsync(page, $"my-data-{culture}-{preset.Name}");
        // What the person sees first, without scrolling.
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, $"my-data-{culture}-{preset.Name}-first-screen.png") });
        await Axe.AssertNoSeriousViolationsAsync(page);

        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("form.download button").ClickAsync());
        Assert.EndsWith(".zip", download.SuggestedFilename, StringComparison.Ordinal);

        Assert.True(errors.Count == 0, "Console errors: " + string.Join("\n", errors));
    }

    [Fact]
    public async Task The_sign_in_form_works_by_keyboard_alone()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, portal.Address);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/nb/login");

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("skip-link", await page.EvaluateAsync<string>("() => document.activeElement.className"));
        await page.Keyboard.PressAsync("Enter");
        for (var i = 0; i < 12 && await page.EvaluateAsync<string>("() => document.activeElement.id") != "Input_Email"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Equal("Input_Email", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.TypeAsync("kari.nordmann@example.no");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("submit", await page.EvaluateAsync<string>("() => document.activeElement.type"));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#code").WaitForAsync();
        Assert.Equal("Sjekk e-posten din", (await page.Locator("main h1").TextContentAsync())?.Trim());
    }

    private static string NativeName(string culture) => culture switch
    {
        "nb" => "Norsk",
        "et" => "Eesti",
        _ => "English",
    };

    private static async Task Expect(IPage page) =>
        Assert.True(await page.Locator("#Input_Email").IsVisibleAsync());
}
