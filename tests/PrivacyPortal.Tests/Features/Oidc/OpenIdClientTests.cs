using System.Diagnostics;
using System.Text;
using PrivacyPortal.Testing.Infrastructure;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;
using Xunit.Abstractions;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>
/// openid-client (npm), a certified OpenID Connect relying party, against the app on a real socket:
/// tests/oidc-client/relying-party.test.mjs. The magic link is read from the mail as a real SMTP
/// server (aiosmtpd) delivered it into its Maildir.
/// </summary>
public sealed class OpenIdClientTests(ITestOutputHelper output)
{
    private static readonly string ClientFolder = Path.Combine(RepositoryPaths.Root, "tests", "oidc-client");

    [Fact]
    public async Task Openid_client_signs_in_refreshes_introspects_revokes_and_signs_out()
    {
        using var smtp = new SmtpTestServer();
        using var factory = OidcFlow.NewPortal(useKestrel: true, smtp);
        // openid-client checks iat, exp and auth_time against the real clock, so the app's clock follows it.
        factory.Clock.SetUtcNow(DateTimeOffset.UtcNow);
        factory.Start();
        using var stop = new CancellationTokenSource();
        var ticker = FollowRealTimeAsync(factory, stop.Token);

        await EnsurePackagesAsync();
        var (exitCode, text) = await RunAsync("node", ["relying-party.test.mjs"], new Dictionary<string, string>
        {
            // OpenIddict writes a path-less issuer with a trailing slash (docs/oidc.md).
            ["PORTAL_ISSUER"] = factory.ServerAddress.GetLeftPart(UriPartial.Authority) + "/",
            ["PORTAL_MAILDIR"] = smtp.MaildirPath,
            ["CLIENT_ID"] = DevClients.Eu,
            ["CLIENT_SECRET"] = DevClients.EuSecret,
            ["REDIRECT_URI"] = DevClients.EuRedirect,
            ["POST_LOGOUT_URI"] = DevClients.EuPostLogout,
            ["EMAIL"] = "kari.nordmann@example.no",
        });
        await stop.CancelAsync();
        await ticker;

        output.WriteLine(text);
        Assert.True(exitCode == 0, text);
        Assert.Contains("10 passed, 0 failed", text, StringComparison.Ordinal);
    }

    private static async Task FollowRealTimeAsync(PortalAppFactory factory, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            if (now > factory.Clock.GetUtcNow())
            {
                factory.Clock.SetUtcNow(now);
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>tests/run-all.sh installs the packages; a test run on its own installs them from the lock file.</summary>
    private static async Task EnsurePackagesAsync()
    {
        if (File.Exists(Path.Combine(ClientFolder, "node_modules", "openid-client", "package.json")))
        {
            return;
        }

        var (exitCode, text) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>());
        Assert.True(exitCode == 0, "npm ci in tests/oidc-client failed: " + text);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = ClientFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var text = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} ran longer than 3 minutes.");
        }

        text.Append(await stdout).Append(await stderr);
        return (process.ExitCode, text.ToString());
    }
}
