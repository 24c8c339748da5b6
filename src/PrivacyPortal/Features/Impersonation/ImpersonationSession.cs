using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>How an impersonation ended.</summary>
public static class ImpersonationEnd
{
    public const string Stopped = "stopped";
    public const string Expired = "expired";

    /// <summary>The staff member's own session ended, or they lost the role.</summary>
    public const string StaffSessionEnded = "staff-session-ended";
}

/// <summary>
/// One "view as customer" by a member of staff: who, whose account, why, and for how long. The
/// customer sees these rows in my-data and in the export; they are never deleted with the staff
/// account, so the staff member's name is kept as it was.
/// </summary>
public sealed class ImpersonationSession
{
    public const int ReasonMaxLength = 500;
    public const int TicketMaxLength = 64;

    public Guid Id { get; set; }

    public Guid StaffId { get; set; }

    /// <summary>The staff member's name at the time, as the customer is shown it.</summary>
    public string StaffName { get; set; } = "";

    /// <summary>The staff session that started it; the impersonation ends when that session does.</summary>
    public Guid StaffSessionId { get; set; }

    public Guid CustomerId { get; set; }

    public string Reason { get; set; } = "";

    public string Ticket { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>One of <see cref="ImpersonationEnd"/>.</summary>
    public string? EndedBy { get; set; }
}

internal sealed class ImpersonationSessionConfiguration : IEntityTypeConfiguration<ImpersonationSession>
{
    public const string OpenIndexName = "IX_ImpersonationSessions_StaffId_Open";
    public const string OpenFilter = "\"EndedAt\" IS NULL";

    public void Configure(EntityTypeBuilder<ImpersonationSession> builder)
    {
        builder.ToTable("ImpersonationSessions");
        builder.Property(s => s.StaffName).HasMaxLength(200);
        builder.Property(s => s.Reason).HasMaxLength(ImpersonationSession.ReasonMaxLength);
        builder.Property(s => s.Ticket).HasMaxLength(ImpersonationSession.TicketMaxLength);
        builder.Property(s => s.EndedBy).HasMaxLength(32);
        // The customer's list, newest first; no foreign keys: the record outlives both accounts.
        builder.HasIndex(s => new { s.CustomerId, s.StartedAt });
        // At most one open view per staff member, held by the database: two simultaneous starts
        // cannot both pass a check-then-insert. Quoted identifiers read the same on SQLite and PostgreSQL.
        builder.HasIndex(s => s.StaffId).IsUnique().HasFilter(OpenFilter).HasDatabaseName(OpenIndexName);
    }
}

/// <summary>A setting an Admin changes at run time (stored, audited), unlike configuration.</summary>
public sealed class PortalSetting
{
    public string Key { get; set; } = "";

    public string Value { get; set; } = "";

    public DateTimeOffset ChangedAt { get; set; }

    public Guid? ChangedBy { get; set; }
}

internal sealed class PortalSettingConfiguration : IEntityTypeConfiguration<PortalSetting>
{
    public void Configure(EntityTypeBuilder<PortalSetting> builder)
    {
        builder.ToTable("PortalSettings");
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasMaxLength(100);
        builder.Property(s => s.Value).HasMaxLength(400);
    }
}
