using System.Net.Mail;
using MimeKit;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Turns an outbox message into the MIME message both transports send: multipart/alternative, text
/// then HTML, UTF-8 and quoted-printable, with our Message-ID so a mail sent again after a crash can be
/// recognised as the same one.
/// </summary>
internal static class OutboxMail
{
    public static MimeMessage Create(OutboxMessage message, MailboxAddress from, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(from);
        // MimeKit's parser accepts nearly anything; System.Net.Mail's stricter check decides what a
        // recipient address is, so an address the portal stored by mistake is refused for good, not retried.
        if (!MailAddress.TryCreate(message.To, out var to))
        {
            throw new EmailDeliveryException("The recipient is not a valid mail address.", isPermanent: true);
        }

        var mime = new MimeMessage
        {
            Date = date,
            Subject = message.Subject,
            MessageId = $"{message.Id:N}@{from.Domain}",
            Body = new MultipartAlternative
            {
                // Clients show the last alternative they understand, so HTML goes last.
                Text("plain", message.TextBody),
                Text("html", message.HtmlBody),
            },
        };
        mime.From.Add(message.SenderName is { Length: > 0 } name ? new MailboxAddress(name, from.Address) : from);
        mime.To.Add(new MailboxAddress(null, to.Address));
        // RFC 3834: no out-of-office replies to portal mail.
        mime.Headers.Add("Auto-Submitted", "auto-generated");
        if (message.ListUnsubscribe is { Length: > 0 } unsubscribe)
        {
            // RFC 2369 and RFC 8058: the mail client's own "unsubscribe" button, one click, no page to read.
            mime.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        return mime;
    }

    private static TextPart Text(string subtype, string content)
    {
        var part = new TextPart(subtype)
        {
            // Quoted-printable keeps the mostly-ASCII bodies readable in a raw .eml file.
            ContentTransferEncoding = ContentEncoding.QuotedPrintable,
        };
        part.SetText(System.Text.Encoding.UTF8, content);
        return part;
    }
}
