using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using PrivacyPortal.BrowserTests.Infrastructure;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.BrowserTests.FrontEnd;

// Our stylesheet on a page with every component the portal uses, served with the built
// wwwroot (css, js, htmx) under the portal's strict CSP, at both screen sizes.
[Collection(BrowserCollectionDefinition.Name)]
public sealed class StyleGuideTests(BrowserFixture browser) : IAsyncLifetime
{
    private LoopbackApp _app = null!;

    public async Task InitializeAsync()
    {
        var wwwroot = Path.Combine(RepositoryPaths.Root, "src", "PrivacyPortal", "wwwroot");
        Assert.True(File.Exists(Path.Combine(wwwroot, "css", "site.css")), "wwwroot is not built; building src/PrivacyPortal runs the front-end build.");
        var styleGuide = Path.Combine(AppContext.BaseDirectory, "FrontEnd", "styleguide.html");
        _app = await LoopbackApp.StartAsync(app =>
        {
            app.Use((context, next) =>
            {
                context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'";
                return next(context);
            });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(wwwroot) });
            app.MapGet("/styleguide", () => Results.Content(File.ReadAllText(styleGuide), "text/html; charset=utf-8"));
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [MemberData(nameof(ViewportPreset.Names), MemberType = typeof(ViewportPreset))]
    public async Task Every_component_passes_axe_without_serious_findings(string presetName)
    {
        var preset = ViewportPreset.Named(presetName);
        await using var context = await browser.NewContextAsync(preset, _app.Address);
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add($"{message.Text} ({message.Location})");
            }
        };

        await page.GotoAsync("/styleguide");

        Assert.True(await page.EvaluateAsync<bool>("() => typeof window.htmx === 'object' && htmx.config.allowEval === false"));
        Assert.True(consoleErrors.Count == 0, "Console errors:\n" + string.Join("\n", consoleErrors));
        await Screenshots.ScreenshotAsync(page, $"styleguide-{preset.Name}");
        await Axe.AssertNoSeriousViolationsAsync(page);
    }

    [Theory]
    [MemberData(nameof(ViewportPreset.Names), MemberType = typeof(ViewportPreset))]
    public async Task Nothing_scrolls_sideways_and_reject_is_as_big_as_accept(string presetName)
    {
        var preset = ViewportPreset.Named(presetName);
        await using var context = await browser.NewContextAsync(preset, _app.Address);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/styleguide");

        Assert.True(
            await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"The page is wider than {preset.Width}px.");
        var accept = await page.Locator("#cookie-accept").BoundingBoxAsync();
        var reject = await page.Locator("#cookie-reject").BoundingBoxAsync();
        Assert.NotNull(accept);
        Assert.NotNull(reject);
        Assert.Equal(accept.Height, reject.Height, 0.5);
        Assert.True(accept.Height >= 44, "Buttons should be at least 44px high for touch.");
        if (preset.IsMobile)
        {
            Assert.Equal(accept.Width, reject.Width, 0.5);
        }
    }

    [Fact]
    public async Task The_first_tab_shows_the_skip_link_with_a_focus_ring()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, _app.Address);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/styleguide");

        await page.Keyboard.PressAsync("Tab");

        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        var box = await page.Locator(".skip-link").BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Y >= 0, "The focused skip link should be on screen.");
        Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).boxShadow"));
        await Screenshots.ScreenshotAsync(page, "styleguide-desktop-skip-link-focused");
    }
}
