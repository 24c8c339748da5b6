using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.Testing.Smtp;

/// <summary>
/// A real SMTP server for tests: Debian's aiosmtpd writing each received mail into a Maildir.
/// Starts in the constructor (so it works as an xunit class fixture); <see cref="Stop"/> and
/// <see cref="Start"/> take it down and bring it back on the same port, to test retries.
/// </summary>
public sealed class SmtpTestServer : IDisposable
{
    /// <summary>Debian's python, which has the python3-aiosmtpd package; a pyenv python on PATH does not.</summary>
    public const string PythonPath = "/usr/bin/python3";

    private static readonly string[] MaildirFolders = ["new", "cur"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly string _root;
    private readonly ConcurrentDictionary<string, ReceivedMail> _parsed = new(StringComparer.Ordinal);
    private readonly StringBuilder _log = new();
    private Process? _process;

    public SmtpTestServer()
    {
        _root = Path.Combine(Path.GetTempPath(), "portal-smtp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        // aiosmtpd creates the Maildir itself and wants to find nothing there on first start.
        MaildirPath = Path.Combine(_root, "maildir");
        Port = FreePort.Next();
        Start();
    }

#pragma warning disable CA1822 // An instance property, so tests read server.Host beside server.Port.
    public string Host => "127.0.0.1";
#pragma warning restore CA1822

    public int Port { get; }

    /// <summary>The Maildir; delivered mails are files in its <c>new</c> folder.</summary>
    public string MaildirPath { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything aiosmtpd printed, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>All mails received since the start or the last <see cref="Clear"/>, oldest first.</summary>
    public IReadOnlyList<ReceivedMail> All =>
        MailFiles().Select(f => _parsed.GetOrAdd(f, ReceivedMail.Load)).ToList();

    /// <summary>Starts the server (again) on <see cref="Port"/> and waits until it greets.</summary>
    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        var startInfo = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-m", "aiosmtpd", "-n",
                     "-l", string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}"),
                     "-c", "aiosmtpd.handlers.Mailbox", MaildirPath,
                 })
        {
            startInfo.ArgumentList.Add(argument);
        }

        // A pyenv or virtualenv in the environment would hide Debian's dist-packages.
        startInfo.Environment.Remove("PYTHONPATH");
        startInfo.Environment.Remove("PYTHONHOME");
        startInfo.Environment["PYTHONUNBUFFERED"] = "1";

        var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {PythonPath}.");
        process.OutputDataReceived += (_, e) => AppendLog(e.Data);
        process.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running.TryAdd(process, 0);

        try
        {
            FreePort.WaitUntilListeningAsync(Port, StartTimeout, () => process.HasExited).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException)
        {
            Stop();
            throw new InvalidOperationException(
                $"aiosmtpd did not listen on {Host}:{Port} within {StartTimeout.TotalSeconds}s (is python3-aiosmtpd installed?). Output:\n{Log}", e);
        }
    }

    /// <summary>Kills the server, so that connections to <see cref="Port"/> are refused until <see cref="Start"/>.</summary>
    public void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        Running.TryRemove(process, out _);
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        process.Dispose();
    }

    /// <summary>
    /// Every server still running when the test process ends is killed, so a fixture that was never
    /// disposed (its test failed half-way, its constructor threw) leaves no aiosmtpd behind.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Process, byte> Running = CreateRegistry();

    private static System.Collections.Concurrent.ConcurrentDictionary<Process, byte> CreateRegistry()
    {
        var running = new System.Collections.Concurrent.ConcurrentDictionary<Process, byte>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in running.Keys)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                    }
                }
                catch (InvalidOperationException)
                {
                    // Exited meanwhile.
                }
            }
        };
        return running;
    }

    /// <summary>Deletes every received mail.</summary>
    public void Clear()
    {
        foreach (var file in MailFiles())
        {
            File.Delete(file);
        }

        _parsed.Clear();
    }

    /// <summary>
    /// Waits for a mail addressed to <paramref name="to"/> (To, Cc or envelope) that satisfies
    /// <paramref name="match"/>, and returns the oldest such mail. Mails are not consumed: call
    /// <see cref="Clear"/> or match on content to wait for a later one.
    /// </summary>
    public async Task<ReceivedMail> WaitForMailAsync(string to, Func<ReceivedMail, bool>? match = null, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(to);
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var all = All;
            var found = all.FirstOrDefault(m => m.IsAddressedTo(to) && (match?.Invoke(m) ?? true));
            if (found is not null)
            {
                return found;
            }

            if (stopwatch.Elapsed > limit)
            {
                var received = all.Count == 0 ? "none" : string.Join("; ", all);
                throw new TimeoutException(
                    $"No mail to {to}{(match is null ? "" : " matching the condition")} within {limit.TotalSeconds}s. Received: {received}");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere only leaves a folder in /tmp behind.
        }
    }

    private IEnumerable<string> MailFiles()
    {
        var folders = MaildirFolders.Select(f => Path.Combine(MaildirPath, f)).Where(Directory.Exists);
        return folders
            .SelectMany(Directory.EnumerateFiles)
            .OrderBy(DeliveryOrder)
            .ThenBy(Path.GetFileName, StringComparer.Ordinal);
    }

    // Python's Maildir names files "{seconds}.M{microseconds}P{pid}Q{counter}.{host}".
    private static (long Seconds, long Micros, long Counter) DeliveryOrder(string path)
    {
        var name = Path.GetFileName(path);
        var parts = name.Split('.');
        if (parts.Length >= 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var seconds))
        {
            var unique = parts[1];
            var m = unique.IndexOf('M', StringComparison.Ordinal);
            var p = unique.IndexOf('P', StringComparison.Ordinal);
            var q = unique.IndexOf('Q', StringComparison.Ordinal);
            if (m == 0 && p > m && q > p
                && long.TryParse(unique.AsSpan(m + 1, p - m - 1), CultureInfo.InvariantCulture, out var micros)
                && long.TryParse(unique.AsSpan(q + 1), CultureInfo.InvariantCulture, out var counter))
            {
                return (seconds, micros, counter);
            }

            return (seconds, 0, 0);
        }

        return (long.MaxValue, 0, 0);
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
