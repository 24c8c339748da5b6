using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.Preferences;

/// <summary>Signs a browser in as a person would: email form, the link from the mail (read from the outbox table), the button.</summary>
public static partial class BrowserSignIn
{
    public static async Task SignInAsync(IPage page, PortalAppFactory factory, string email, string culture = "en")
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync($"/{culture}/login");
        await SignInOnLoginPageAsync(page, factory, email);
        await page.ExpectAddressAsync(new Regex("/my-data$"));
    }

    /// <summary>
    /// From the portal's sign-in page, wherever it was opened from (a store's sign-in sends people
    /// there): asks for the link, follows it from the mail and presses the button. Where the browser
    /// ends up is the return address's business.
    /// </summary>
    public static async Task SignInOnLoginPageAsync(IPage page, PortalAppFactory factory, string email)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(factory);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await page.FillAsync("input[name='Input.Email']", email);
        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync("#code");

        await page.GotoAsync(await ConfirmLinkAsync(factory, email));
        await page.Locator("main form button[type=submit]").ClickAsync();
    }

    /// <summary>The path and query of the newest sign-in link mailed to <paramref name="email"/> (read from the outbox table).</summary>
    public static async Task<string> ConfirmLinkAsync(PortalAppFactory factory, string email)
    {
        ArgumentNullException.ThrowIfNull(factory);
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var body = await db.Outbox.AsNoTracking()
            .Where(m => m.To == email && m.Kind == "sign-in")
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => m.TextBody)
            .FirstAsync();
        return new Uri(ConfirmLink().Match(body).Value).PathAndQuery;
    }

    [GeneratedRegex(@"https?://\S+/login/confirm\?token=[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();
}
