using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Sends over SMTP with MailKit. Connections are kept between the mails of a busy outbox (each
/// dispatcher worker takes one at a time, so as many are open as mails are in flight) and closed
/// with QUIT when the outbox runs dry, after an error, or after
/// <see cref="SmtpOptions.MaxMailsPerConnection"/> mails.
/// </summary>
public sealed partial class SmtpEmailTransport(
    IOptions<EmailOptions> options,
    TimeProvider time,
    ILogger<SmtpEmailTransport> logger) : IEmailTransport, IAsyncDisposable
{
    /// <summary>A connection idle longer than this is asked for a NOOP before it carries a mail.</summary>
    private static readonly TimeSpan CheckAfterIdle = TimeSpan.FromSeconds(15);

    private readonly ConcurrentBag<Connection> idle = [];

    /// <summary>Connections opened since start; tests and the benchmark read it to see reuse.</summary>
    public int ConnectionsOpened => connectionsOpened;

    private int connectionsOpened;

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value;
        var smtp = settings.Smtp;
        using var mime = OutboxMail.Create(message, settings.FromMailbox(), time.GetUtcNow());

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(smtp.Timeout);
        try
        {
            var connection = await TakeAsync(timeout.Token);
            try
            {
                await SendOnAsync(connection, mime, smtp, timeout.Token);
            }
            catch (Exception ex) when (connection.Sent > 0 && IsConnectionLost(ex))
            {
                // The server dropped a connection kept from an earlier mail (an idle timeout on its side)
                // before this mail got its answer: one more try on a fresh connection.
                LogReconnect(logger, ex, smtp.Host);
                await SendOnAsync(await OpenAsync(smtp, timeout.Token), mime, smtp, timeout.Token);
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EmailDeliveryException($"{smtp.Host}:{smtp.Port} did not finish within {smtp.Timeout}.", isPermanent: false, ex);
        }
        catch (SmtpCommandException ex)
        {
            throw Classify(ex);
        }
        catch (Exception ex) when (ex is SmtpProtocolException or AuthenticationException or SslHandshakeException
            or ServiceNotConnectedException or ServiceNotAuthenticatedException or IOException or SocketException or NotSupportedException)
        {
            // Connection, TLS and login failures: the server or the portal's settings must change, not the mail.
            throw new EmailDeliveryException($"{smtp.Host}:{smtp.Port}: {Describe(ex)}", isPermanent: false, ex);
        }
    }

    /// <summary>Closes the kept connections with QUIT; the dispatcher calls it when the outbox is empty.</summary>
    public async ValueTask CloseIdleConnectionsAsync(CancellationToken cancellationToken)
    {
        while (idle.TryTake(out var connection))
        {
            await CloseAsync(connection, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await CloseIdleConnectionsAsync(patience.Token);
    }

    /// <summary>
    /// 5xx replies are permanent; 4xx replies are transient. Authentication and TLS-required replies
    /// are 5xx too, but they say the portal is misconfigured, not that this mail is unwanted, so they
    /// must not kill every queued mail.
    /// </summary>
    internal static EmailDeliveryException Classify(SmtpCommandException exception)
    {
        var code = (int)exception.StatusCode;
        var permanent = code is >= 500 and < 600 && code is not (530 or 534 or 535 or 538);
        return new EmailDeliveryException($"{code} {exception.Message}", permanent, exception);
    }

    private async Task SendOnAsync(Connection connection, MimeMessage mime, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var keep = false;
        try
        {
            await connection.Client.SendAsync(mime, cancellationToken);
            connection.Sent++;
            connection.IdleSince = time.GetTimestamp();
            keep = connection.Sent < smtp.MaxMailsPerConnection;
        }
        finally
        {
            // After any failure the connection's state is unknown: a fresh one serves the next mail.
            if (keep && connection.Client.IsConnected)
            {
                idle.Add(connection);
            }
            else
            {
                await CloseAsync(connection, CancellationToken.None);
            }
        }
    }

    private async Task<Connection> TakeAsync(CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        while (idle.TryTake(out var kept))
        {
            if (!kept.Client.IsConnected)
            {
                await CloseAsync(kept, cancellationToken);
                continue;
            }

            if (time.GetElapsedTime(kept.IdleSince) < CheckAfterIdle)
            {
                return kept;
            }

            try
            {
                await kept.Client.NoOpAsync(cancellationToken);
                return kept;
            }
            catch (Exception ex) when (IsConnectionLost(ex) || ex is SmtpCommandException)
            {
                await CloseAsync(kept, cancellationToken);
            }
        }

        return await OpenAsync(smtp, cancellationToken);
    }

    private async Task<Connection> OpenAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host ?? "", smtp.Port, smtp.Security switch
            {
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            }, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        Interlocked.Increment(ref connectionsOpened);
        return new Connection(client) { IdleSince = time.GetTimestamp() };
    }

    private async Task CloseAsync(Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            if (connection.Client.IsConnected)
            {
                await connection.Client.DisconnectAsync(quit: true, cancellationToken);
            }
        }
#pragma warning disable CA1031 // A QUIT the server does not answer changes nothing: the connection is dropped either way.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogQuitFailed(logger, ex);
        }
        finally
        {
            connection.Client.Dispose();
        }
    }

    private static bool IsConnectionLost(Exception exception) =>
        exception is ServiceNotConnectedException or SmtpProtocolException or IOException or SocketException;

    private static string Describe(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += " → " + inner.Message;
        }

        return text;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A kept SMTP connection to {Host} was lost; sending again on a new one")]
    private static partial void LogReconnect(ILogger logger, Exception exception, string? host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "QUIT was not answered; the connection is dropped")]
    private static partial void LogQuitFailed(ILogger logger, Exception exception);

    private sealed class Connection(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;

        public int Sent { get; set; }

        public long IdleSince { get; set; }
    }
}
