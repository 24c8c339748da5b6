namespace PrivacyPortal.Data;

/// <summary>An append-only line of the audit log: who did what to whose data, and why.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The account that acted; null for the system or an anonymous visitor.</summary>
    public Guid? ActorId { get; set; }

    /// <summary>The person whose data was touched, if any.</summary>
    public Guid? SubjectId { get; set; }

    /// <summary>A stable dotted name, e.g. <c>auth.signed-in</c>, <c>staff.viewed-person</c>.</summary>
    public string Action { get; set; } = "";

    public string? Detail { get; set; }

    public string? IpAddress { get; set; }
}

/// <summary>
/// While a row exists in the sweep's own transaction, the database lets an UPDATE of AuditEvents
/// through if it only clears the link to people (SubjectId, ActorId, IpAddress) and changes nothing
/// else. The retention sweep inserts one, unlinks, and deletes it before committing, so no other
/// transaction ever sees it; every other UPDATE or DELETE of the log is still refused.
/// </summary>
public sealed class AuditUnlinkPermit
{
    public Guid Id { get; set; }

    public DateTimeOffset GrantedAt { get; set; }
}
