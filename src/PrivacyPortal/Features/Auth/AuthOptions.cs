using System.ComponentModel.DataAnnotations;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Auth;

public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>A session not used for this long ends.</summary>
    [TimeSpanRange("00:01:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A session ends this long after sign-in, however active.</summary>
    [TimeSpanRange("00:05:00", "30.00:00:00")]
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long an emailed link and code work (DESIGN.md: at most 15 minutes).</summary>
    [TimeSpanRange("00:01:00", "00:15:00")]
    public TimeSpan MagicLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Wrong codes after which the code of an attempt stops working.</summary>
    [Range(1, 10)]
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>Sign-in emails one address can receive per hour; more requests get the same screen and no mail.</summary>
    [Range(1, 100)]
    public int MaxLinksPerAddressPerHour { get; set; } = 5;

    /// <summary>Sign-in requests one IP address can make per 10 minutes.</summary>
    [Range(1, 10_000)]
    public int MaxLinksPerIpPer10Minutes { get; set; } = 20;
}
