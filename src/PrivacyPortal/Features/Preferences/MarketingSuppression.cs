using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PrivacyPortal.Features.Preferences;

/// <summary>
/// An erased person's stop, kept after the person is gone: a keyed hash of their normalised email
/// address at one company, and nothing else about them. A store that brings the address back gets
/// a person with all marketing off (<see cref="SuppressionList"/>).
/// </summary>
public sealed class MarketingSuppression
{
    public long Id { get; set; }

    /// <summary>Controller id from the policy file.</summary>
    public string ControllerId { get; set; } = "";

    /// <summary>HMAC-SHA256 of the controller and the normalised address (lower-case hex), under <see cref="SuppressionKey"/>.</summary>
    public string AddressHash { get; set; } = "";

    /// <summary>The erasure that asked for it: the actor of the stops it later writes.</summary>
    public Guid RequestId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// The suppression list's HMAC key: random, made once by whichever instance needs it first, stored
/// only protected by Data Protection (its own purpose), so a copy of the table alone does not let
/// anyone test addresses against the list.
/// </summary>
public sealed class SuppressionKey
{
    public const int SingleId = 1;

    public int Id { get; set; }

    public string ProtectedKey { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class MarketingSuppressionConfiguration : IEntityTypeConfiguration<MarketingSuppression>
{
    public void Configure(EntityTypeBuilder<MarketingSuppression> builder)
    {
        builder.ToTable("MarketingSuppressions");
        builder.Property(s => s.ControllerId).HasMaxLength(64);
        builder.Property(s => s.AddressHash).HasMaxLength(64);
        // One entry per address and company; the store push looks addresses up by it.
        builder.HasIndex(s => new { s.ControllerId, s.AddressHash }).IsUnique();
    }
}

internal sealed class SuppressionKeyConfiguration : IEntityTypeConfiguration<SuppressionKey>
{
    public void Configure(EntityTypeBuilder<SuppressionKey> builder)
    {
        builder.ToTable("SuppressionKeys");
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.ProtectedKey).HasMaxLength(1000);
    }
}
