namespace PrivacyPortal.Data;

public enum OutboxStatus
{
    Pending = 0,
    Sent = 1,
    Dead = 2,
}

/// <summary>
/// An email written in the same transaction as the change that causes it, and sent later by the
/// dispatcher, so a mail server that is down loses nothing.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    public string To { get; set; } = "";

    public string Subject { get; set; } = "";

    public string TextBody { get; set; } = "";

    public string HtmlBody { get; set; } = "";

    /// <summary>What caused the mail (e.g. <c>magic-link</c>), for the mailbox and the logs; never the token.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The body holds a secret (a sign-in link or code): it is wiped once delivered.</summary>
    public bool ContainsSecret { get; set; }

    /// <summary>
    /// The one-click unsubscribe address (RFC 8058) for a mail about something the person can stop,
    /// sent as its List-Unsubscribe header; null for mails that are not.
    /// </summary>
    public string? ListUnsubscribe { get; set; }

    /// <summary>The sender's display name in the recipient's language ("Innore personvernportal"); null takes the configured one.</summary>
    public string? SenderName { get; set; }

    public OutboxStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>Permanent failures (5xx) counted apart from transient ones: only these lead to the dead letter state.</summary>
    public int PermanentFailures { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Lease: the dispatcher instance holding the message until <see cref="LockedUntil"/>.</summary>
    public string? LockedBy { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }
}
