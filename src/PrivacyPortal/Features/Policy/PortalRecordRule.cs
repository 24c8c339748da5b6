namespace PrivacyPortal.Features.Policy;

/// <summary>The kinds of record the portal itself keeps about people, each with a retention rule in the policy.</summary>
public enum PortalRecordKind
{
    /// <summary>Privacy requests and complaints with their messages, history and store tasks.</summary>
    Requests,

    /// <summary>Marketing preference history rows (newsletter, objections, consents) that a later row has replaced.</summary>
    PreferenceHistory,

    /// <summary>Cookie-consent proofs, of signed-in and anonymous visitors alike.</summary>
    CookieConsents,

    Sessions,
    MagicLinkTokens,

    /// <summary>Outbox mails that were sent or given up on.</summary>
    OutboxMails,

    /// <summary>The append-only audit log: its rows stay, the link to the person goes.</summary>
    AuditLog,
}

/// <summary>The event a portal record's retention counts from; each kind has exactly one.</summary>
public enum PortalRecordEvent
{
    Closed,
    Superseded,
    Recorded,
    Ended,
    Expired,
    Settled,
    Occurred,
}

public enum PortalRecordAction
{
    /// <summary>The rows go.</summary>
    Delete,

    /// <summary>The rows stay, without the person's account, the acting account or the IP address.</summary>
    Unlink,
}

/// <summary>How long the portal keeps one kind of its own records, and what the daily sweep does then.</summary>
/// <param name="Kind">Only <see cref="RetentionKind.Years"/> or <see cref="RetentionKind.Months"/>.</param>
public sealed record PortalRecordRule(
    PortalRecordKind Record,
    PortalRecordEvent CountsFrom,
    RetentionKind Kind,
    int? Years,
    int? Months,
    PortalRecordAction Action,
    LocalizedText Description)
{
    public static PortalRecordEvent StartEventOf(PortalRecordKind record) => record switch
    {
        PortalRecordKind.Requests => PortalRecordEvent.Closed,
        PortalRecordKind.PreferenceHistory => PortalRecordEvent.Superseded,
        PortalRecordKind.CookieConsents => PortalRecordEvent.Recorded,
        PortalRecordKind.Sessions => PortalRecordEvent.Ended,
        PortalRecordKind.MagicLinkTokens => PortalRecordEvent.Expired,
        PortalRecordKind.OutboxMails => PortalRecordEvent.Settled,
        PortalRecordKind.AuditLog => PortalRecordEvent.Occurred,
        _ => throw new ArgumentOutOfRangeException(nameof(record), record, "Unknown portal record kind."),
    };

    /// <summary>Append-only records that must outlive the person: only the link to them may go.</summary>
    public static bool OutlivesThePerson(PortalRecordKind record) => record == PortalRecordKind.AuditLog;

    /// <summary>The latest moment a record may have started its period and still be kept on <paramref name="now"/>.</summary>
    public DateTimeOffset Cutoff(DateTimeOffset now) => Kind == RetentionKind.Months
        ? now.AddMonths(-(Months ?? 0))
        : now.AddYears(-(Years ?? 0));

    /// <summary>"3 years after closed", for the retention report.</summary>
    public string Length => Kind == RetentionKind.Months ? $"{Months} months" : $"{Years} years";
}
