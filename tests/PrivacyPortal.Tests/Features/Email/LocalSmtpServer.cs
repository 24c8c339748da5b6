using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PrivacyPortal.Tests.Features.Email;

/// <summary>
/// A real SMTP server for these tests: Debian's aiosmtpd writing a Maildir. Private to the email
/// tests until the shared SmtpTestServer of PrivacyPortal.Testing replaces it.
/// Recipients whose local part starts with <c>reject</c> get a permanent 550.
/// </summary>
internal sealed class LocalSmtpServer : IAsyncDisposable
{
    private const string HandlerModule = """
        import os
        from aiosmtpd.handlers import Mailbox

        def note(event):
            with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'events.log'), 'a') as f:
                f.write(event + '\n')

        class RejectingMailbox(Mailbox):
            async def handle_EHLO(self, server, session, envelope, hostname, responses):
                note('EHLO')
                session.host_name = hostname
                return responses

            async def handle_QUIT(self, server, session, envelope):
                note('QUIT')
                return '221 Bye'

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.split('@', 1)[0].lower().startswith('reject'):
                    return '550 5.1.1 Mailbox unavailable'
                envelope.rcpt_tos.append(address)
                return '250 OK'
        """;

    private readonly string workDirectory;
    private Process? process;

    private LocalSmtpServer(string workDirectory, int port)
    {
        this.workDirectory = workDirectory;
        Port = port;
    }

    public int Port { get; }

    public string MaildirPath => Path.Combine(workDirectory, "maildir");

    public bool IsRunning => process is { HasExited: false };

    /// <summary>Reserves a free port; the server is not listening until <see cref="StartAsync"/>.</summary>
    public static LocalSmtpServer Create()
    {
        var workDirectory = Path.Combine(Path.GetTempPath(), "pp-smtp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDirectory);
        File.WriteAllText(Path.Combine(workDirectory, "portal_test_smtpd.py"), HandlerModule);
        return new LocalSmtpServer(workDirectory, FreePort());
    }

    public static async Task<LocalSmtpServer> StartNewAsync()
    {
        var server = Create();
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "portal_test_smtpd.RejectingMailbox", MaildirPath })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PYTHONPATH"] = workDirectory;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd exited with {process.ExitCode}.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                using var reader = new StreamReader(client.GetStream());
                var banner = await reader.ReadLineAsync();
                if (banner?.StartsWith("220", StringComparison.Ordinal) == true)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"aiosmtpd did not answer on port {Port}.");
    }

    public async Task StopAsync()
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    /// <summary>The EHLO and QUIT commands the server received, in order: one EHLO per connection.</summary>
    public IReadOnlyList<string> Events()
    {
        var path = Path.Combine(workDirectory, "events.log");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    /// <summary>The files of the mails the server accepted.</summary>
    public IReadOnlyList<string> DeliveredFiles()
    {
        var path = Path.Combine(MaildirPath, "new");
        return Directory.Exists(path) ? Directory.GetFiles(path) : [];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(workDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
