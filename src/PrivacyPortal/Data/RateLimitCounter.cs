using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PrivacyPortal.Data;

/// <summary>
/// A fixed-window request counter kept in the database, so a limit that protects something (the
/// sign-in forms) holds across every instance behind the load balancer, not once per instance.
/// </summary>
public sealed class RateLimitCounter
{
    /// <summary>Policy, partition (e.g. the client IP) and window number; the window is part of the key so a new window starts at zero.</summary>
    public string Key { get; set; } = "";

    public int Count { get; set; }

    /// <summary>When the window ends; rows past it are deleted.</summary>
    public DateTimeOffset WindowEndsAt { get; set; }
}

internal sealed class RateLimitCounterConfiguration : IEntityTypeConfiguration<RateLimitCounter>
{
    public const int MaxKeyLength = 200;

    public void Configure(EntityTypeBuilder<RateLimitCounter> builder)
    {
        builder.ToTable("RateLimitCounters");
        builder.HasKey(c => c.Key);
        builder.Property(c => c.Key).HasMaxLength(MaxKeyLength);
        builder.HasIndex(c => c.WindowEndsAt);
    }
}
