using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.Testing.Web;

/// <summary>
/// The portal as its own operating-system process (<c>dotnet PrivacyPortal.dll</c>), configured by
/// environment variables as an operator would, on a free loopback port. Unlike an in-process
/// factory it can be killed outright (<see cref="Kill"/>), mid-request, with nothing shut down
/// gracefully: the honest test of "an instance died".
/// </summary>
public sealed class PortalProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private PortalProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote to stdout and stderr (the last lines), for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Starts the app built next to this test run (same configuration: Debug or Release) with
    /// <paramref name="settings"/> as <c>Section__Key</c> environment variables, and waits until
    /// <c>/health/ready</c> answers.
    /// </summary>
    public static async Task<PortalProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string environment = "Development")
    {
        ArgumentNullException.ThrowIfNull(settings);
        var contentRoot = Path.Combine(RepositoryPaths.Root, "src", "PrivacyPortal");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        var dll = Path.Combine(contentRoot, "bin", configuration, "net10.0", "PrivacyPortal.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The portal is not built at {dll}; build the solution first.", dll);
        }

        var port = FreePort.Next();
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ASPNETCORE_URLS"] = address.GetLeftPart(UriPartial.Authority);
        start.Environment["ASPNETCORE_CONTENTROOT"] = contentRoot;
        start.Environment["Portal__PublicBaseUrl"] = address.GetLeftPart(UriPartial.Authority);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var portal = new PortalProcess(process, address);
        try
        {
            await portal.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            portal.Dispose();
            throw;
        }

        return portal;
    }

    /// <summary>Kills the process and its children at once (SIGKILL): no graceful shutdown, no flushing.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The portal at {Address} was not ready after {timeout}:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }
    }
}
