using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.BrowserTests.Staff;

/// <summary>
/// The privacy officer's reports and record of processing on a 390 px phone in Norwegian, Estonian
/// and English: no serious axe violation, nothing wider than the screen but the tables' own scroll
/// areas, and a screenshot of each page per language in the artifacts.
/// </summary>
[Collection(BrowserCollectionDefinition.Name)]
public sealed class PrivacyOfficerPagesTests(BrowserFixture browser) : IDisposable
{
    private const string Dpo = "dpo@innore.example";
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

    [Theory]
    [InlineData("nb")]
    [InlineData("et")]
    [InlineData("en")]
    public async Task The_reports_and_the_record_of_processing_work_on_a_phone(string culture)
    {
        await SeedMonthsAsync();
        await using var context = await browser.NewContextAsync(ViewportPreset.Mobile, App.ServerAddress, o => o.Locale = culture);
        var page = await context.NewPageAsync();
        await SignInAsync(page);

        await page.GotoAsync("/staff/reports");
        Assert.Equal(culture, await page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal(5, await page.Locator("svg.chart__svg[role=img]").CountAsync());
        await AssertFitsTheScreenAsync(page);
        await FullPageAsync(page, $"staff-reports-{culture}-390");
        // The first screen, as a phone shows it: the requests chart and the start of its table.
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, $"staff-reports-{culture}-390-first-screen.png") });
        await Axe.AssertNoSeriousViolationsAsync(page);

        await page.GotoAsync("/staff/records-of-processing");
        Assert.Equal(2, await page.Locator("section.ropa").CountAsync());
        await AssertFitsTheScreenAsync(page);
        // The whole record is too tall to capture in time on a busy machine: its first screen and INNORE AS's transfers and security measures.
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, $"staff-records-of-processing-{culture}-390.png") });
        await page.Locator("#ropa-innore-no .ropa__transfers").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, $"staff-records-of-processing-{culture}-390-transfers.png") });
        await Axe.AssertNoSeriousViolationsAsync(page);

        // The staff member's own language, whatever the browser's: the next one round, chosen by keyboard.
        var chosen = culture switch { "nb" => "et", "et" => "en", _ => "nb" };
        var button = page.Locator($".staff-language button[value={chosen}]");
        Assert.True((await button.BoundingBoxAsync())!.Height >= 44, "The language buttons are 44 px touch targets.");
        await button.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator($"html[lang={chosen}]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.ExpectAddressAsync("**/staff/records-of-processing");
        Assert.Equal("true", await page.Locator($".staff-language button[value={chosen}]").GetAttributeAsync("aria-current"));
        await page.GotoAsync("/staff");
        Assert.Equal(chosen, await page.Locator("html").GetAttributeAsync("lang"));
        await AssertFitsTheScreenAsync(page);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, $"staff-queue-chosen-{chosen}-browser-{culture}-390.png") });
        await Axe.AssertNoSeriousViolationsAsync(page);
    }

    public void Dispose()
    {
        app?.Dispose();
        smtp.Dispose();
    }

    /// <summary>The whole page at CSS pixels (at the phone's 3x the picture is very large).</summary>
    private static async Task FullPageAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots.Directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory, name + ".png"), FullPage = true, Scale = ScreenshotScale.Css });
    }

    private static async Task AssertFitsTheScreenAsync(IPage page)
    {
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        if (width > ViewportPreset.Mobile.Width)
        {
            // Name the outermost elements that stick out, to say what to fix.
            var wide = await page.EvaluateAsync<string[]>("""
                w => [...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > w && !(e.parentElement && e.parentElement.getBoundingClientRect().right > w))
                  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + 'px: ' + e.textContent.trim().slice(0, 60))
                """, ViewportPreset.Mobile.Width);
            Assert.Fail($"{page.Url} is {width} px wide on a {ViewportPreset.Mobile.Width} px screen: {string.Join(" | ", wide)}");
        }
    }

    private async Task SignInAsync(IPage page)
    {
        App.Clock.Advance(TimeSpan.FromSeconds(1));
        await page.GotoAsync("/staff");
        await page.ExpectAddressAsync("**/en/login?returnUrl=*");
        if (await page.Locator("#cookie-reject").CountAsync() > 0)
        {
            await page.Locator("#cookie-reject").ClickAsync();
        }

        var before = smtp.All.Count(m => m.IsAddressedTo(Dpo));
        await page.Locator("#Input_Email").FillAsync(Dpo);
        await page.Locator("#Input_Email").PressAsync("Enter");
        await page.Locator("#code").WaitForAsync();
        var mail = await smtp.WaitForMailAsync(Dpo, m => smtp.All.Where(x => x.IsAddressedTo(Dpo)).ToList().IndexOf(m) >= before);
        await page.GotoAsync(mail.FindLink("/login/confirm").AbsoluteUri);
        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.ExpectAddressAsync("**/staff/second-factor*");
        // A staff member enrols through the invitation the privacy officer sent (a new portal per language).
        await page.GotoAsync(StaffEnrolment.EnrolmentPath(await StaffEnrolment.InviteAsync(App, Dpo)));
        var key = (await page.Locator("#authenticator-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        await page.Locator("input[name=Code]").FillAsync(Totp.NextCode(key, App.Clock.GetUtcNow()));
        await page.Locator("input[name=Code]").PressAsync("Enter");
        await page.ExpectAddressAsync("**/staff");
    }

    /// <summary>Requests of every kind, some answered, and cookie choices over six months, once per portal.</summary>
    private async Task SeedMonthsAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        if (await db.Set<PrivacyRequest>().AnyAsync(r => r.Details == "seeded for the reports"))
        {
            return;
        }

        var kari = await db.Users.Where(u => u.NormalizedEmail == "KARI.NORDMANN@EXAMPLE.NO").Select(u => u.Id).SingleAsync();
        var kinds = Enum.GetValues<RequestKind>();
        var n = 0;
        for (var month = 0; month < 6; month++)
        {
            for (var i = 0; i <= month + 2; i++)
            {
                var received = Now.AddMonths(month - 5).AddDays(-(i % 20));
                var day = Deadlines.Day(received);
                var request = new PrivacyRequest
                {
                    Id = Guid.NewGuid(),
                    Reference = $"R-SEED-{n++:D4}",
                    SubjectId = kari,
                    Kind = kinds[i % kinds.Length],
                    Status = RequestStatus.Received,
                    Controllers = i % 3 == 0 ? ",innore-ee,innore-no," : i % 3 == 1 ? ",innore-no," : ",innore-ee,",
                    Details = "seeded for the reports",
                    ReceivedAt = received,
                    FirstDueOn = Deadlines.DueDate(day),
                    DueOn = Deadlines.DueDate(day),
                    UpdatedAt = received,
                    IdempotencyKey = Guid.NewGuid(),
                };
                if (i % 4 != 3 && month < 5)
                {
                    request.Status = RequestStatus.Completed;
                    request.RecordAnswer(i % 5 == 4 ? RequestEventKind.Refused : RequestEventKind.CarriedOut, day.AddDays(5 + (i * 7)));
                }

                db.Add(request);
                var action = (CookieConsentAction)(i % 3);
                db.Add(new CookieConsentRecord { ConsentId = Guid.NewGuid(), Categories = "necessary", Action = action, PolicyRevision = "seed", GivenAt = received, RecordedAt = received });
            }
        }

        await db.SaveChangesAsync();
    }
}
