using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>Turns an outbox message into a MIME message: multipart/alternative, text then HTML, all UTF-8.</summary>
internal static class OutboxMail
{
    /// <remarks>No Date header: SmtpClient always stamps its own, from the machine clock, when it sends.</remarks>
    public static MailMessage Create(OutboxMessage message, MailAddress from)
    {
        MailAddress to;
        try
        {
            to = new MailAddress(message.To);
        }
        catch (FormatException ex)
        {
            throw new EmailDeliveryException("The recipient is not a valid mail address.", isPermanent: true, ex);
        }

        var mail = new MailMessage
        {
            From = from,
            // Encoded words (RFC 2047) keep æøå and õäöü intact in every client.
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
        };
        try
        {
            mail.To.Add(to);
            mail.Subject = message.Subject;
            // Clients show the last alternative they understand, so HTML goes last.
            mail.AlternateViews.Add(View(message.TextBody, MediaTypeNames.Text.Plain));
            mail.AlternateViews.Add(View(message.HtmlBody, MediaTypeNames.Text.Html));
            // Derived from the outbox id, so a mail sent again after a crash can be recognised as the same one.
            mail.Headers["Message-ID"] = $"<{message.Id:N}@{from.Host}>";
            // RFC 3834: no out-of-office replies to portal mail.
            mail.Headers["Auto-Submitted"] = "auto-generated";
        }
        catch (ArgumentException ex)
        {
            mail.Dispose();
            throw new EmailDeliveryException("The message cannot be written as a mail.", isPermanent: true, ex);
        }

        return mail;
    }

    private static AlternateView View(string content, string mediaType)
    {
        var view = AlternateView.CreateAlternateViewFromString(content, Encoding.UTF8, mediaType);
        // Quoted-printable keeps the mostly-ASCII bodies readable in a raw .eml file.
        view.TransferEncoding = TransferEncoding.QuotedPrintable;
        return view;
    }
}
