using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Staff;

/// <summary>
/// A staff member's authenticator counters, changed only by single conditional UPDATEs so parallel
/// requests cannot lose a count or use one code twice.
/// </summary>
public sealed class StaffAuthenticatorState
{
    public Guid UserId { get; set; }

    /// <summary>Code attempts since the last accepted code (or since the last lockout ended).</summary>
    public int FailedCount { get; set; }

    /// <summary>Set when <see cref="FailedCount"/> reaches the limit; no code is checked before then.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The RFC 6238 time step of the last accepted code; only a later step is accepted next.</summary>
    public long LastUsedStep { get; set; }
}

/// <summary>A one-time invitation to enrol an authenticator; only the token's SHA-256 hash is stored.</summary>
public sealed class StaffInvitation
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public string TokenHash { get; set; } = "";

    /// <summary>The privacy officer or admin who created it (null: the demo data).</summary>
    public Guid? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class StaffAuthenticatorStateConfiguration : IEntityTypeConfiguration<StaffAuthenticatorState>
{
    public void Configure(EntityTypeBuilder<StaffAuthenticatorState> builder)
    {
        builder.ToTable("StaffAuthenticators");
        builder.HasKey(s => s.UserId);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StaffInvitationConfiguration : IEntityTypeConfiguration<StaffInvitation>
{
    public void Configure(EntityTypeBuilder<StaffInvitation> builder)
    {
        builder.ToTable("StaffInvitations");
        builder.Property(i => i.TokenHash).HasMaxLength(64);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => i.UserId);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(i => i.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
