using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Queues emails on the caller's <see cref="PortalDbContext"/>, so they are committed by the same
/// SaveChanges as the change that causes them, and sent by the dispatcher afterwards.
/// </summary>
public sealed class Outbox(PortalDbContext db, TimeProvider time, OutboxSignal? signal = null, Microsoft.Extensions.Localization.IStringLocalizer<Localization.SharedResource>? text = null)
{
    private bool wakesDispatcher;

    /// <param name="containsSecret">The mail carries a sign-in link or code; its stored copy is wiped after delivery.</param>
    /// <param name="listUnsubscribe">A one-click unsubscribe address for the mail's List-Unsubscribe header.</param>
    public OutboxMessage Enqueue(string to, EmailContent content, string kind, bool containsSecret = false, Uri? listUnsubscribe = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var now = time.GetUtcNow();
        var message = new OutboxMessage
        {
            Id = Guid.NewGuid(),
            To = to,
            Subject = content.Subject,
            TextBody = content.TextBody,
            HtmlBody = content.HtmlBody,
            Kind = kind,
            ContainsSecret = containsSecret,
            ListUnsubscribe = listUnsubscribe?.AbsoluteUri,
            // Every mail is composed in the recipient's language (a CultureScope), so is its sender.
            SenderName = text is null ? null : text["Email.SenderName"].Value,
            Status = OutboxStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.Outbox.Add(message);
        if (signal is not null && !wakesDispatcher)
        {
            // Only after the commit: before it, the dispatcher could not see the row.
            db.SavedChanges += (_, _) => signal.Notify();
            wakesDispatcher = true;
        }

        return message;
    }
}
