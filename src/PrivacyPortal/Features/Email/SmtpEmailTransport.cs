using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Sends over SMTP with <see cref="SmtpClient"/>, one connection per mail (the client is not
/// thread-safe, and portal mail volume does not need pooling).
/// </summary>
public sealed class SmtpEmailTransport(IOptions<EmailOptions> options) : IEmailTransport
{
    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value;
        var smtp = settings.Smtp;
        using var mail = OutboxMail.Create(message, settings.FromAddress());
        using var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            DeliveryMethod = SmtpDeliveryMethod.Network,
            EnableSsl = smtp.EnableSsl,
            UseDefaultCredentials = false,
            Timeout = (int)smtp.Timeout.TotalMilliseconds,
        };
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
        }

        // SmtpClient.Timeout only covers the synchronous Send; the asynchronous one needs a token.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(smtp.Timeout);
        try
        {
            await client.SendMailAsync(mail, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EmailDeliveryException($"{smtp.Host}:{smtp.Port} did not finish within {smtp.Timeout}.", isPermanent: false, ex);
        }
        catch (SmtpException ex)
        {
            throw Classify(ex);
        }
    }

    /// <summary>
    /// 5xx replies are permanent; 4xx replies, refused connections and timeouts are transient.
    /// Authentication and TLS-required replies are 5xx too, but they say the portal is
    /// misconfigured, not that this mail is unwanted, so they must not kill every queued mail.
    /// </summary>
    internal static EmailDeliveryException Classify(SmtpException exception)
    {
        var code = (int)exception.StatusCode;
        var permanent = code is >= 500 and < 600 && code is not (530 or 534 or 535 or 538);
        return new EmailDeliveryException(Describe(exception), permanent, exception);
    }

    private static string Describe(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            text += " → " + inner.Message;
        }

        return exception is SmtpException smtp && smtp.StatusCode != SmtpStatusCode.GeneralFailure
            ? $"{(int)smtp.StatusCode} {text}"
            : text;
    }
}
