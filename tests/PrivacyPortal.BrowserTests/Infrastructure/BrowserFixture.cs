using Microsoft.Playwright;

namespace PrivacyPortal.BrowserTests.Infrastructure;

/// <summary>
/// One headless Debian Chromium for all browser tests, driven by Playwright. Playwright's own browser
/// download cannot work here (closed network), so it launches /usr/bin/chromium (or <c>PORTAL_CHROMIUM</c>).
/// Use through <see cref="BrowserCollectionDefinition"/>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>
    /// --no-sandbox because CI runs as root; the rest keep Chromium from reaching for Google's
    /// services, which a closed network refuses many times a second.
    /// </summary>
    public static readonly IReadOnlyList<string> ChromiumArgs =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-quic",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("PORTAL_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public IPlaywright Playwright => _playwright ?? throw new InvalidOperationException("The fixture is not initialized.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium was not found at {ChromiumPath}; install Debian's 'chromium' package (tests/run-all.sh does).");
        }

        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>
    /// A fresh context (own cookies and storage) sized to <paramref name="preset"/>. Dispose it
    /// (<c>await using</c>) when the test is done.
    /// </summary>
    public Task<IBrowserContext> NewContextAsync(ViewportPreset preset, Uri? baseUrl = null, Action<BrowserNewContextOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(preset);
        var options = new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = preset.Width, Height = preset.Height },
            IsMobile = preset.IsMobile,
            HasTouch = preset.HasTouch,
            DeviceScaleFactor = preset.DeviceScaleFactor,
            BaseURL = baseUrl?.ToString(),
            Locale = "en-GB",
            TimezoneId = "Europe/Oslo",
        };
        configure?.Invoke(options);
        return Browser.NewContextAsync(options);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>Browser tests share one Chromium; tests in this collection run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollectionDefinition : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
