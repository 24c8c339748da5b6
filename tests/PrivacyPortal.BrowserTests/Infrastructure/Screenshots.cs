using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.BrowserTests.Infrastructure;

/// <summary>Full-page PNGs under artifacts/screenshots, kept by CI for people to look at.</summary>
public static partial class Screenshots
{
    public static string Directory => Path.Combine(RepositoryPaths.Artifacts, "screenshots");

    /// <summary>Saves a screenshot as <c>{name}.png</c>, of the whole page or of what the screen shows, and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        ArgumentNullException.ThrowIfNull(page);
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, SafeName().Replace(name, "-") + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        return path;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex SafeName();
}
