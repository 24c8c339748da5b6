using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.BrowserTests.Preferences;
using PrivacyPortal.Testing.Web;
using Xunit.Abstractions;

namespace PrivacyPortal.BrowserTests.MyData;

/// <summary>
/// my-data as a person reads it on a phone and a laptop: the overview on the first screen, each
/// category folded and opened by a click, the keyboard or a link from the overview.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed partial class MyDataPageTests(BrowserFixture browser, ITestOutputHelper output) : IDisposable
{
    private readonly PortalAppFactory _app = new PortalAppFactory(useKestrel: true).Start();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("nb", "mobile")]
    [InlineData("et", "mobile")]
    [InlineData("en", "mobile")]
    [InlineData("nb", "desktop")]
    [InlineData("et", "desktop")]
    [InlineData("en", "desktop")]
    public async Task The_overview_comes_first_and_categories_open_by_click_keyboard_and_link(string culture, string viewport)
    {
        var preset = ViewportPreset.Named(viewport);
        await using var context = await browser.NewContextAsync(preset, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/{culture}/");
        await page.Locator("#cookie-reject").ClickAsync();
        await BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no", culture);
        await page.GotoAsync($"/{culture}/my-data");

        // The overview, with the first company's sentence, is on the first screen.
        await Assertions.Expect(page.Locator("#overview-heading")).ToBeInViewportAsync();
        var firstCompany = await page.Locator("#overview .overview__company p").First.BoundingBoxAsync();
        Assert.True(firstCompany!.Y < preset.Height, $"The overview's first company starts at {firstCompany.Y} px, below the first screen.");

        var height = await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight");
        output.WriteLine($"{culture} {viewport}: my-data is {height} px tall");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "The page scrolls sideways.");
        await Screenshots.ScreenshotAsync(page, $"mydata-{culture}-{viewport}");
        await ScreenfulsAsync(page, $"mydata-{culture}-{viewport}", height);

        // Every category folded.
        var categories = page.Locator("section.controller details.category");
        Assert.Equal(8, await categories.CountAsync());
        Assert.All(await categories.EvaluateAllAsync<bool[]>("all => all.map(d => d.open)"), Assert.False);
        await Assertions.Expect(page.Locator("#innore-no-orders table")).ToBeHiddenAsync();

        // A click opens one.
        await page.Locator("#innore-no-orders > summary").ClickAsync();
        await Assertions.Expect(page.Locator("#innore-no-orders tbody tr").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#innore-no-orders tbody tr")).ToHaveCountAsync(5);

        // The keyboard opens another: Tab reaches its summary, Enter and Space toggle it.
        await page.Locator("#innore-no-payment > summary").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        Assert.True(await page.Locator("#innore-no-payment").EvaluateAsync<bool>("d => d.open"));
        await page.Keyboard.PressAsync("Space");
        Assert.False(await page.Locator("#innore-no-payment").EvaluateAsync<bool>("d => d.open"));
        await page.Keyboard.PressAsync("Space");
        Assert.True(await page.Locator("#innore-no-payment").EvaluateAsync<bool>("d => d.open"));

        // A link in the overview opens the category it names.
        await page.Locator("#overview a[href='#innore-no-contact']").ClickAsync();
        await Assertions.Expect(page.Locator("#innore-no-contact tbody tr").First).ToBeVisibleAsync();

        // A value's details, with "This is wrong" beside it.
        await page.Locator("#innore-no-contact tbody details > summary").First.ClickAsync();
        await Assertions.Expect(page.Locator("#innore-no-contact a.fields__correct").First).ToBeVisibleAsync();

        var text = await page.EvaluateAsync<string>(
            "() => { const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const out = []; " +
            "while (w.nextNode()) { if (!w.currentNode.parentElement.closest('script,style')) out.push(w.currentNode.nodeValue.trim()); } return out.join('\\n'); }");
        Assert.DoesNotContain("UTC", text, StringComparison.Ordinal);
        Assert.DoesNotContain("MyData.", text, StringComparison.Ordinal);
        var rawKeys = RawKey().Matches(text).Select(m => m.Value).ToList();
        Assert.True(rawKeys.Count == 0, $"my-data shows raw keys: {string.Join(", ", rawKeys)}");
        if (culture != "en")
        {
            Assert.DoesNotContain("Because", text, StringComparison.Ordinal);
            Assert.DoesNotContain("This is wrong", text, StringComparison.Ordinal);
            Assert.DoesNotContain("next deletion", text, StringComparison.Ordinal);
        }

        await Screenshots.ScreenshotAsync(page, $"mydata-{culture}-{viewport}-open");
        await ScreenfulsAsync(page, $"mydata-{culture}-{viewport}-open", await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight"));
        await Axe.AssertNoSeriousViolationsAsync(page);
    }

    [Fact]
    public async Task This_is_wrong_leads_to_the_correction_form_with_the_value_chosen()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/nb/");
        await page.Locator("#cookie-reject").ClickAsync();
        await BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no", "nb");
        await page.GotoAsync("/nb/my-data#innore-no-contact");
        await page.Locator("#innore-no-contact tbody details > summary").First.ClickAsync();
        await page.Locator("#innore-no-contact a.fields__correct", new() { HasText = "Leveringsadresse" }).ClickAsync();

        await page.ExpectAddressAsync(new Regex(@"/nb/requests/new\?kind=Rectification&field=\d+:deliveryAddress$"));
        var chosen = await page.Locator("#field-0").EvaluateAsync<string>("s => s.selectedOptions[0].textContent");
        Assert.StartsWith("Leveringsadresse: ", chosen, StringComparison.Ordinal);
        await page.Locator("#value-0").FillAsync("Kirkegata 1, 0153 Oslo");
        await Screenshots.ScreenshotAsync(page, "mydata-nb-mobile-correction-form");
        await Axe.AssertNoSeriousViolationsAsync(page);
        await page.Locator("main form[method=post] button[type=submit]:not([formaction])").Last.ClickAsync();
        await page.ExpectAddressAsync(new Regex("/nb/requests/[0-9a-f-]{36}$"));
        await Assertions.Expect(page.Locator("#corrections li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#corrections li")).ToContainTextAsync("Leveringsadresse");
    }

    /// <summary>The page in parts two screens tall as well, which read at their real size where a whole phone page is a thin strip.</summary>
    private static async Task ScreenfulsAsync(IPage page, string name, int height)
    {
        var size = page.ViewportSize!;
        for (var (y, part) = (0, 1); y < height; y += size.Height * 2, part++)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions
            {
                Path = Path.Combine(Screenshots.Directory, $"{name}-part{part}.png"),
                FullPage = true,
                Clip = new Clip { X = 0, Y = y, Width = size.Width, Height = Math.Min(size.Height * 2, height - y) },
            });
        }
    }

    // A store's field names are camelCase ("deliveryAddress", "widthMm"); people's words are not.
    [GeneratedRegex(@"\b[a-z]+[A-Z][A-Za-z]*\b")]
    private static partial Regex RawKey();
}
