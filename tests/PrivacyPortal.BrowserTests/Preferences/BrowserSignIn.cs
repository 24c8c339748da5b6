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
        ArgumentNullException.ThrowIfNull(factory);
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await page.GotoAsync($"/{culture}/login");
        await page.FillAsync("input[name='Input.Email']", email);
        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.WaitForSelectorAsync("#code");

        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var body = await db.Outbox.AsNoTracking()
            .Where(m => m.To == email && m.Kind == "sign-in")
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => m.TextBody)
            .FirstAsync();
        var link = new Uri(ConfirmLink().Match(body).Value);
        await page.GotoAsync(link.PathAndQuery);
        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.ExpectAddressAsync(new Regex("/my-data$"));
    }

    [GeneratedRegex(@"https?://\S+/login/confirm\?token=[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();
}
