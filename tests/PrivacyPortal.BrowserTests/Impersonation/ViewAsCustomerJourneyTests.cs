using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.Impersonation;

/// <summary>
/// A Support member signs in with both factors, views the portal as Kari and stops, in a real
/// browser: the banner on a desktop and on a 390 px phone, the refusal page, and back to staff.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed class ViewAsCustomerJourneyTests(BrowserFixture browser) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private readonly SmtpTestServer smtp = new();
    private PortalAppFactory? app;

    private PortalAppFactory App
    {
        get
        {
            if (app is null)
            {
                app = new PortalAppFactory(smtp, useKestrel: true)
                    .With("Auth:MaxLinksPerAddressPerHour", "100")
                    .With("Auth:MaxLinksPerIpPer10Minutes", "10000");
                app.Clock.SetUtcNow(Now);
                app.Start();
            }

            return app;
        }
    }

    [Fact]
    public async Task Support_views_as_kari_sees_the_banner_on_desktop_and_phone_is_refused_a_download_and_stops()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, App.ServerAddress);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") { errors.Add(m.Text); } };

        await page.GotoAsync("/staff");
        await page.ExpectAddressAsync("**/en/login?returnUrl=*");
        if (await page.Locator("#cookie-reject").CountAsync() > 0)
        {
            await page.Locator("#cookie-reject").ClickAsync();
        }

        var before = smtp.All.Count(m => m.IsAddressedTo("support@innore.example"));
        await page.Locator("#Input_Email").FillAsync("support@innore.example");
        await page.Locator("#Input_Email").PressAsync("Enter");
        await page.Locator("#code").WaitForAsync();
        var mail = await smtp.WaitForMailAsync("support@innore.example", m => smtp.All.Where(x => x.IsAddressedTo("support@innore.example")).ToList().IndexOf(m) >= before);
        await page.GotoAsync(mail.FindLink("/login/confirm").AbsoluteUri);
        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.ExpectAddressAsync("**/staff/second-factor*");
        // A new staff member enrols through the invitation the privacy officer sent.
        await page.GotoAsync(StaffEnrolment.EnrolmentPath(await StaffEnrolment.InviteAsync(App, "support@innore.example")));
        var key = (await page.Locator("#authenticator-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await page.GetByLabel("Code").FillAsync(Totp.NextCode(key, App.Clock.GetUtcNow()));
        await page.GetByLabel("Code").PressAsync("Enter");
        await page.ExpectAddressAsync("**/staff");

        await page.GetByRole(AriaRole.Link, new() { Name = "People" }).ClickAsync();
        await page.GetByLabel("Email or name").FillAsync("kari");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Kari Nordmann" }).ClickAsync();
        await page.ExpectAddressAsync("**/staff/people/*");
        await page.GetByLabel("Reason (the customer sees it)").FillAsync("Customer asks why her 2021 order is missing");
        await page.GetByLabel("Ticket reference").FillAsync("CS-1042");
        await Screenshots.ScreenshotAsync(page, "impersonation-start-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start viewing as customer" }).ClickAsync();
        await page.ExpectAddressAsync("**/nb/my-data");

        var banner = page.Locator("#impersonation-banner");
        Assert.True(await banner.IsVisibleAsync());
        var text = await banner.InnerTextAsync();
        // The staff member's language (English staff pages) on Kari's Norwegian page.
        Assert.Contains("You are viewing the portal as Kari Nordmann.", text, StringComparison.Ordinal);
        // The staff member's browser is in Europe/Oslo, and the staff pages let it say so.
        Assert.Contains("10:30", text, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", text, StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, "impersonation-banner-desktop.png") });
        await Screenshots.ScreenshotAsync(page, "impersonation-my-data-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);

        // The banner stays in view when the page scrolls.
        await page.EvaluateAsync("() => window.scrollTo(0, document.body.scrollHeight / 2)");
        Assert.True(await page.EvaluateAsync<bool>("() => { const r = document.getElementById('impersonation-banner').getBoundingClientRect(); return r.top >= 0 && r.top < 5; }"));

        await page.SetViewportSizeAsync(ViewportPreset.Mobile.Width, ViewportPreset.Mobile.Height);
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "my-data is wider than 390px while viewing as the customer");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, "impersonation-banner-390.png") });
        await Axe.AssertNoSeriousViolationsAsync(page);

        // Downloading the export is refused with a clear page; the banner and Stop are still there.
        await page.Locator("form.download button").ClickAsync();
        await page.Locator("#impersonation-refused").WaitForAsync();
        Assert.True(await banner.IsVisibleAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, "impersonation-refused-390.png") });
        await Axe.AssertNoSeriousViolationsAsync(page);

        await page.SetViewportSizeAsync(ViewportPreset.Desktop.Width, ViewportPreset.Desktop.Height);
        await banner.GetByRole(AriaRole.Button).ClickAsync();
        await page.ExpectAddressAsync("**/staff/people/*?ended=stopped");
        Assert.Equal(0, await page.Locator("#impersonation-banner").CountAsync());
        Assert.Contains("You stopped viewing as the customer.", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.ScreenshotAsync(page, "impersonation-stopped-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);

        // The refusal page is answered with 403 on purpose; Chromium logs that document load as an error.
        errors.RemoveAll(e => e.Contains("status of 403", StringComparison.Ordinal));
        Assert.True(errors.Count == 0, "Console errors: " + string.Join("\n", errors));
    }

    public void Dispose()
    {
        app?.Dispose();
        smtp.Dispose();
    }
}
