namespace PrivacyPortal.Data;

/// <summary>
/// One sign-in attempt: the emailed link and the 6-digit code. Only hashes are stored; an attempt
/// is written for unknown addresses too, so known and unknown addresses cost the same work.
/// </summary>
public sealed class MagicLinkToken
{
    public Guid Id { get; set; }

    /// <summary>SHA-256 of the 256-bit link token, hex.</summary>
    public string TokenHash { get; set; } = "";

    /// <summary>HMAC of the 6-digit code, keyed with the link token hash, hex.</summary>
    public string CodeHash { get; set; } = "";

    /// <summary>Normalised address the link was asked for.</summary>
    public string Email { get; set; } = "";

    /// <summary>The person, or null when no account exists for the address.</summary>
    public Guid? SubjectId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? ConsumedAt { get; set; }

    public int FailedCodeAttempts { get; set; }

    /// <summary>Local path to return to after signing in.</summary>
    public string? ReturnUrl { get; set; }

    public string Culture { get; set; } = "en";

    public string? RequestIp { get; set; }
}
