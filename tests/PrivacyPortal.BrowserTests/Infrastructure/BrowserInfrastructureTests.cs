using System.Buffers.Binary;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using PrivacyPortal.Testing.Infrastructure;
using Xunit.Sdk;

namespace PrivacyPortal.BrowserTests.Infrastructure;

// Proves the browser set-up itself on a page of a tiny app (not the portal): Debian Chromium starts,
// both screen sizes work, screenshots land in artifacts/, and axe runs under a strict CSP.
[Collection(BrowserCollectionDefinition.Name)]
public sealed class BrowserInfrastructureTests(BrowserFixture browser) : IAsyncLifetime
{
    private const string Csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:";
    private LoopbackApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await LoopbackApp.StartAsync(app =>
        {
            app.Use((context, next) =>
            {
                context.Response.Headers.ContentSecurityPolicy = Csp;
                return next(context);
            });
            app.MapGet("/", () => Html("""
                <!doctype html>
                <html lang="en">
                <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Smoke</title>
                <script src="/app.js" defer></script></head>
                <body><main><h1>Hello from a trivial page</h1><p>Nothing to see.</p>
                <button type="button">A named button</button></main>
                <script>window.inlineRan = true;</script></body></html>
                """));
            app.MapGet("/app.js", () => Results.Text("document.documentElement.dataset.scriptRan = 'yes';", "text/javascript"));
            app.MapGet("/broken", () => Html("""
                <!doctype html>
                <html lang="en"><head><title>Broken</title></head>
                <body><main><h1>Broken on purpose</h1>
                <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
                <button type="button"></button></main></body></html>
                """));
        });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [MemberData(nameof(ViewportPreset.Names), MemberType = typeof(ViewportPreset))]
    public async Task A_trivial_page_renders_at_both_sizes_under_a_strict_csp_with_no_serious_axe_findings(string presetName)
    {
        var preset = ViewportPreset.Named(presetName);
        await using var context = await browser.NewContextAsync(preset, _app.Address);
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("/");

        Assert.Equal(200, response!.Status);
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => document.documentElement.dataset.scriptRan"));
        Assert.False(await page.EvaluateAsync<bool>("() => window.inlineRan === true"), "The CSP should have blocked the inline script.");
        Assert.Equal(preset.Width, await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.Equal(preset.IsMobile, await page.EvaluateAsync<bool>("() => matchMedia('(pointer: coarse)').matches"));

        var path = await Screenshots.ScreenshotAsync(page, $"infrastructure-smoke-{preset.Name}");
        Assert.Equal((int)(preset.Width * preset.DeviceScaleFactor), PngWidth(path));

        await Axe.AssertNoSeriousViolationsAsync(page);
    }

    [Fact]
    public async Task Axe_reports_broken_markup_and_the_assertion_names_rules_and_elements()
    {
        await using var context = await browser.NewContextAsync(ViewportPreset.Desktop, _app.Address);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/broken");

        var violations = await Axe.AxeAsync(page);

        Assert.Contains(violations, v => v.Id == "image-alt" && v.IsSeriousOrWorse);
        Assert.Contains(violations, v => v.Id == "button-name" && v.IsSeriousOrWorse);
        var failure = await Assert.ThrowsAsync<FailException>(() => Axe.AssertNoSeriousViolationsAsync(page));
        Assert.Contains("image-alt", failure.Message, StringComparison.Ordinal);
        Assert.Contains("button-name", failure.Message, StringComparison.Ordinal);
        Assert.Contains("at img", failure.Message, StringComparison.Ordinal);
    }

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    // The IHDR chunk follows the 8-byte signature and its 8-byte header; width is its first 4 bytes.
    private static int PngWidth(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 24);
        return BinaryPrimitives.ReadInt32BigEndian(header[16..20]);
    }
}
