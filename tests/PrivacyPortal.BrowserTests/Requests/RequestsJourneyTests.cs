using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Infrastructure.Localization;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.Requests;

/// <summary>Filing an erasure on a phone in Norwegian, and the staff queue on a desktop, in a real browser.</summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed class RequestsJourneyTests(BrowserFixture browser) : IDisposable
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
    public async Task Kari_files_an_erasure_on_her_phone_in_norwegian_and_sees_the_plan_first()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, App.ServerAddress);
        var page = await context.NewPageAsync();
        await SignInAsync(page, "kari.nordmann@example.no", "nb", "/nb/requests");

        await page.GetByRole(AriaRole.Link, new() { Name = "Ny forespørsel" }).ClickAsync();
        await page.GetByLabel("Sletting av opplysningene dine").CheckAsync();
        await Screenshots.ScreenshotAsync(page, "requests-new-choose-nb-mobile");
        await Axe.AssertNoSeriousViolationsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Fortsett" }).ClickAsync();

        var plan = page.Locator(".plan-card");
        await plan.WaitForAsync();
        var planText = (await plan.InnerTextAsync()).Replace('\u00A0', ' ');
        Assert.Contains("oppbevares til 31.12.2026–31.12.2030 etter bokføringsloven § 13", planText, StringComparison.Ordinal);
        Assert.Contains("slettes senest 23.12.2026", planText, StringComparison.Ordinal);
        await AssertFitsAsync(page, 390);
        await Screenshots.ScreenshotAsync(page, "requests-erasure-plan-nb-mobile");
        await Axe.AssertNoSeriousViolationsAsync(page);

        // Unticking a company refreshes the plan in place, without the "update" button, and the tick keeps the focus.
        var parent = page.GetByLabel("Innore OÜ");
        await parent.UncheckAsync();
        await Assertions.Expect(page.Locator("#plan")).Not.ToContainTextAsync("Innore OÜ");
        await Assertions.Expect(page.Locator("#plan")).ToContainTextAsync("INNORE AS");
        Assert.Equal("c-innore-ee", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await parent.CheckAsync();
        await Assertions.Expect(page.Locator("#plan")).ToContainTextAsync("Innore OÜ");

        await page.GetByLabel("Noe du vil legge til").FillAsync("Jeg handler ikke lenger hos dere.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send forespørselen" }).ClickAsync();
        await page.ExpectAddressAsync("**/nb/requests/*-*");

        Assert.Contains("Forespørselen din er sendt", await page.Locator(".notice--success").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Svarfrist", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("23.12.2026", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await AssertFitsAsync(page, 390);
        await Screenshots.ScreenshotAsync(page, "requests-erasure-filed-nb-mobile");
        await Axe.AssertNoSeriousViolationsAsync(page);

        var mail = await smtp.WaitForMailAsync("kari.nordmann@example.no", m => m.Subject.StartsWith("Vi har mottatt", StringComparison.Ordinal));
        Assert.Contains("bokføringsloven § 13", mail.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_privacy_officer_signs_in_with_both_factors_and_works_the_queue_on_a_desktop()
    {
        await SeedRequestsAsync();
        // 24 December: Kari's erasure of 23 November is a day late, Ola's access request is due on 26 December.
        App.Clock.SetUtcNow(Now.AddDays(31));

        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, App.ServerAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/staff");
        await page.ExpectAddressAsync("**/en/login?returnUrl=*");
        await SignInAsync(page, "dpo@innore.example", "en", null);
        await page.ExpectAddressAsync("**/staff/second-factor*");
        // A new staff member enrols through the invitation the privacy officer sent.
        await page.GotoAsync(StaffEnrolment.EnrolmentPath(await StaffEnrolment.InviteAsync(App, "dpo@innore.example")));
        await Screenshots.ScreenshotAsync(page, "staff-second-factor-enrol-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);

        var key = (await page.Locator("#authenticator-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await page.GetByLabel("Code").FillAsync(Totp.NextCode(key, App.Clock.GetUtcNow()));
        await page.GetByLabel("Code").PressAsync("Enter");
        await page.ExpectAddressAsync("**/staff");

        var rows = page.Locator("table.queue tbody tr");
        Assert.Equal(3, await rows.CountAsync());
        Assert.Contains("queue__row--overdue", await rows.Nth(0).GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        Assert.Contains("queue__row--soon", await rows.Nth(1).GetAttributeAsync("class") ?? "", StringComparison.Ordinal);
        await Screenshots.ScreenshotAsync(page, "staff-queue-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);

        // Keyboard only: choose a filter and apply it.
        await page.Locator("#f-due").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Locator("#f-due").SelectOptionAsync("overdue");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.ExpectAddressAsync("**/staff?*due=overdue*");
        Assert.Equal(1, await rows.CountAsync());
        await Screenshots.ScreenshotAsync(page, "staff-queue-overdue-desktop");

        await rows.Nth(0).Locator("a").ClickAsync();
        await page.ExpectAddressAsync("**/staff/requests/*");
        await Screenshots.ScreenshotAsync(page, "staff-request-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);
        // Kari's erasure, the overdue one: carrying it out first shows what it will erase, keep and tell.
        await page.Locator("#action-carry-out button[type=submit]").ClickAsync();
        var review = page.Locator("#carry-out-review");
        await Assertions.Expect(review).ToBeVisibleAsync();
        await Assertions.Expect(review).ToContainTextAsync("INNORE AS");
        await Assertions.Expect(review).ToContainTextAsync("Innore OÜ");
        await Assertions.Expect(review.Locator("#review-stores")).ToBeVisibleAsync();
        Assert.True(await review.Locator(".plan__line--erase").CountAsync() > 0, "The review names nothing to erase.");
        Assert.True(await page.EvaluateAsync<bool>("() => { const r = document.getElementById('carry-out-review').getBoundingClientRect(); return r.top < window.innerHeight && r.bottom > 0; }"),
            "The review is not on the screen after the click.");
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var kari = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().Users.Where(u => u.Email == "kari.nordmann@example.no").Select(u => u.Id).SingleAsync();
            Assert.True(await scope.ServiceProvider.GetRequiredService<PortalDbContext>().HeldRecords.AnyAsync(r => r.SubjectId == kari), "The review erased something.");
        }

        await Screenshots.ScreenshotAsync(page, "staff-request-carry-out-review-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);
        await page.Locator("#confirm-carry-out").ClickAsync();
        await page.Locator(".notice--success").WaitForAsync();
        await Screenshots.ScreenshotAsync(page, "staff-request-carried-out-desktop");
        await Axe.AssertNoSeriousViolationsAsync(page);
    }

    public void Dispose()
    {
        app?.Dispose();
        smtp.Dispose();
    }

    private async Task SeedRequestsAsync()
    {
        using var scope = App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var file = scope.ServiceProvider.GetRequiredService<FileRequestCommand>();
        async Task FileAsync(string email, string culture, RequestKind kind, string[] controllers, string? details = null)
        {
            var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
            using var _ = new CultureScope(CultureInfo.GetCultureInfo(culture));
            var result = await file.ExecuteAsync(id, new FileRequestInput(kind, controllers, details, Guid.NewGuid()), CancellationToken.None);
            Assert.True(result.Succeeded);
        }

        await FileAsync("kari.nordmann@example.no", "nb", RequestKind.Erasure, ["innore-no", "innore-ee"]);
        App.Clock.Advance(TimeSpan.FromDays(3));
        await FileAsync("ola.hansen@bygg.example.no", "nb", RequestKind.Access, ["innore-no"]);
        App.Clock.Advance(TimeSpan.FromDays(10));
        await FileAsync("mari.maasikas@example.ee", "et", RequestKind.Complaint, ["innore-ee"], "Sain reklaami, kuigi keeldusin.");
    }

    private async Task SignInAsync(IPage page, string email, string culture, string? returnUrl)
    {
        if (returnUrl is not null)
        {
            await page.GotoAsync($"/{culture}/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        var before = smtp.All.Count(m => m.IsAddressedTo(email));
        await page.Locator("#Input_Email").FillAsync(email);
        await page.Locator("#Input_Email").PressAsync("Enter");
        await page.Locator("#code").WaitForAsync();
        var mail = await smtp.WaitForMailAsync(email, m => smtp.All.Where(x => x.IsAddressedTo(email)).ToList().IndexOf(m) >= before);
        await page.GotoAsync(mail.FindLink("/login/confirm").AbsoluteUri);
        await page.Locator("main form button[type=submit]").ClickAsync();
        if (returnUrl is not null)
        {
            await page.ExpectAddressAsync("**" + returnUrl);
        }
    }

    private static async Task AssertFitsAsync(IPage page, int width) =>
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{page.Url} is wider than {width}px");
}
