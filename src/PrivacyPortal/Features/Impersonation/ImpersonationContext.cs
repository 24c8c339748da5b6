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

/// <summary>
/// Opens a scope in which the impersonation machinery itself may write (its session row, audit
/// lines, the staff session's last-seen time) while everything else is read-only.
/// </summary>
public static class ImpersonationWrites
{
    private static readonly AsyncLocal<int> Depth = new();

    public static bool Allowed => Depth.Value > 0;

    public static IDisposable Allow()
    {
        Depth.Value++;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (!disposed)
            {
                disposed = true;
                Depth.Value--;
            }
        }
    }
}
