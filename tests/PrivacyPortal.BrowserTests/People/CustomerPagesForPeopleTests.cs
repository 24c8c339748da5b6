using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.BrowserTests.Preferences;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.People;

/// <summary>
/// Every customer page a signed-in person sees, on a 390 px phone in nb, et and en: times in their
/// zone (never "UTC"), dates in the language's one format, and no raw field key of a store's record.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed partial class CustomerPagesForPeopleTests(BrowserFixture browser) : IDisposable
{
    private static readonly string[] Pages = ["my-data", "preferences", "cookies", "requests"];

    private readonly PortalAppFactory _app = new PortalAppFactory(useKestrel: true).Start();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("nb", @"\b\d{2}\.\d{2}\.\d{4}\b")]
    [InlineData("et", @"\b\d{2}\.\d{2}\.\d{4}\b")]
    [InlineData("en", @"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b")]
    public async Task Customer_pages_show_local_times_one_date_format_and_no_raw_field_keys(string culture, string datePattern)
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, _app.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/{culture}/");
        await page.Locator("#cookie-reject").ClickAsync();
        await BrowserSignIn.SignInAsync(page, _app, "kari.nordmann@example.no", culture);

        // A time to show in the preference history and a request with a timeline.
        await page.GotoAsync($"/{culture}/preferences");
        await page.RunAndWaitForResponseAsync(
            () => page.Locator("button[data-preference='innore-no/DirectMarketing/sms']").ClickAsync(),
            r => r.Url.Contains("/preferences?status=", StringComparison.Ordinal));
        await page.GotoAsync($"/{culture}/requests/new?kind=Access");
        await page.Locator("main form[method=post] button[type=submit]").Last.ClickAsync();
        await page.ExpectAddressAsync(new Regex($"/{culture}/requests/[0-9a-f-]{{36}}$"));
        var request = new Uri(page.Url).AbsolutePath;

        foreach (var path in Pages.Select(p => $"/{culture}/{p}").Append(request))
        {
            await page.GotoAsync(path);
            // Every text node on its own line: a label and its value are separate words, shown or folded away.
            var text = await page.EvaluateAsync<string>(
                "() => { const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const out = []; " +
                "while (w.nextNode()) { if (!w.currentNode.parentElement.closest('script,style')) out.push(w.currentNode.nodeValue.trim()); } return out.join('\\n'); }");

            Assert.DoesNotContain("UTC", text, StringComparison.Ordinal);
            var rawKeys = RawKey().Matches(text).Select(m => m.Value).Where(k => !Allowed.Contains(k)).ToList();
            Assert.True(rawKeys.Count == 0, $"{path} shows raw keys: {string.Join(", ", rawKeys)}");
            Assert.DoesNotMatch(@"\b\d{1,2}/\d{1,2}/\d{4}\b", text);
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways.");
            await Screenshots.ScreenshotAsync(page, $"people-{culture}-{(path == request ? "request-details" : path.Split('/')[2])}-mobile");
        }

        // The preference change just made, in Oslo time (the browser's zone is not stored without consent).
        await page.GotoAsync($"/{culture}/preferences");
        var when = await page.Locator("#history tbody tr time").First.TextContentAsync();
        Assert.Matches(datePattern, when!);
        Assert.Matches(@"\d{2}:\d{2}$", when!);
    }

    // Words in camelCase a person may legitimately read (product and service names).
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal) { "FreeOTP", "iPhone" };

    // A store's field names are camelCase ("deliveryAddress", "widthMm"); people's words are not.
    [GeneratedRegex(@"\b[a-z]+[A-Z][A-Za-z]*\b")]
    private static partial Regex RawKey();
}
