namespace PrivacyPortal.Features.Impersonation;

/// <summary>The impersonation the current request runs under, for the banner and the audit lines.</summary>
public sealed record ActiveImpersonation(
    Guid Id,
    Guid StaffId,
    Guid CustomerId,
    string CustomerName,
    string Reason,
    string Ticket,
    DateTimeOffset StartedAt,
    DateTimeOffset ExpiresAt);

/// <summary>Why an impersonation principal was turned away, so the guard can send the staff member back.</summary>
public sealed record EndedImpersonation(Guid? CustomerId, string Reason);

/// <summary>Per request: the active impersonation, if the request runs under one.</summary>
public sealed class ImpersonationContext
{
    public ActiveImpersonation? Current { get; set; }

    public EndedImpersonation? Ended { get; set; }
}
