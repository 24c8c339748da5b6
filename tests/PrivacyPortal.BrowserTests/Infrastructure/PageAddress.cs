using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PrivacyPortal.BrowserTests.Infrastructure;

/// <summary>
/// Waits until the page's address matches, by polling it, and then until its document is parsed.
/// <c>WaitForURLAsync</c> after a click waits for a load event of its own, which a full run once
/// never saw (the address had changed, the wait timed out after 30 s).
/// </summary>
public static class PageAddress
{
    // As long as WaitForURLAsync waited: a staff sign-in on a busy CI machine takes seconds.
    private static readonly PageAssertionsToHaveURLOptions Patience = new() { Timeout = 30_000 };

    /// <param name="glob">Playwright's URL glob: <c>**</c> is anything, <c>*</c> anything but <c>/</c>, all else literal.</param>
    public static Task ExpectAddressAsync(this IPage page, string glob) => page.ExpectAddressAsync(FromGlob(glob));

    public static async Task ExpectAddressAsync(this IPage page, Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(page);
        await Assertions.Expect(page).ToHaveURLAsync(pattern, Patience);
        // Returns at once when the document already is (tests run axe and read the DOM next).
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    internal static Regex FromGlob(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] != '*')
            {
                pattern.Append(Regex.Escape(glob[i].ToString()));
            }
            else if (i + 1 < glob.Length && glob[i + 1] == '*')
            {
                pattern.Append(".*");
                i++;
            }
            else
            {
                pattern.Append("[^/]*");
            }
        }

        // No options: Playwright hands the pattern to the browser as a JavaScript regex.
        return new Regex(pattern.Append('$').ToString());
    }
}
