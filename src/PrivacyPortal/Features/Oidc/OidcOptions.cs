using System.ComponentModel.DataAnnotations;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// The provider's settings (section <c>Oidc</c>). The issuer is not among them: it is always
/// <c>Portal:PublicBaseUrl</c>, so it can never come from a Host header.
/// </summary>
public sealed class OidcOptions
{
    public const string SectionName = "Oidc";

    /// <summary>The stores, keyed by client id, which must be a store id of the policy.</summary>
    public Dictionary<string, OidcClientOptions> Clients { get; init; } = new(StringComparer.Ordinal);

    /// <summary>How long an authorization code can be redeemed (the issue caps it at 60 s).</summary>
    [TimeSpanRange("00:00:05", "00:01:00")]
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Access tokens are JWTs a store validates offline, so they stay short.</summary>
    [TimeSpanRange("00:01:00", "01:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    [TimeSpanRange("00:01:00", "01:00:00")]
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each refresh token works once within this time; every use hands out a new one.</summary>
    [TimeSpanRange("00:05:00", "90.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>A refresh-token family ends this long after sign-in, however often it is used.</summary>
    [TimeSpanRange("01:00:00", "365.00:00:00")]
    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>A new signing key is made when the newest is this old; JWKS keeps the one before it.</summary>
    [TimeSpanRange("00:05:00", "365.00:00:00")]
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// A new key is published this long before it signs, so every store has fetched it first
    /// (JwtBearer re-reads JWKS every 12 hours by default). Must be shorter than the rotation interval.
    /// </summary>
    [TimeSpanRange("00:00:00", "30.00:00:00")]
    public TimeSpan KeyActivationDelay { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often an instance re-reads the key table, so keys another instance made are known here.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the back-channel logout queue is looked at.</summary>
    [TimeSpanRange("00:00:00.050", "00:10:00")]
    public TimeSpan LogoutDeliveryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After this many failed deliveries a logout notification is given up on (and logged).</summary>
    [Range(1, 100)]
    public int LogoutDeliveryMaxAttempts { get; set; } = 12;

    /// <summary>How often each instance ends sessions past their idle or absolute timeout and tells the stores.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan TimedOutSessionsInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Full client-secret checks (PBKDF2, tens of milliseconds of CPU) one IP address may cause per
    /// minute, across all instances. A store whose secret this instance has verified recently is not counted.
    /// </summary>
    [Range(1, 100_000)]
    public int ClientSecretChecksPerIpPerMinute { get; set; } = 20;

    /// <summary>Full client-secret checks per client id per minute, from anywhere: wrong secrets spread over many addresses.</summary>
    [Range(1, 100_000)]
    public int ClientSecretChecksPerClientPerMinute { get; set; } = 60;

    /// <summary>
    /// How long an instance takes a secret it verified with PBKDF2 on the SHA-256 of the presented
    /// secret alone; afterwards the next call runs PBKDF2 (and is counted) again.
    /// </summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan VerifiedClientSecretLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The first <c>aud</c> of every access token: the portal's own APIs (userinfo and the store API);
    /// the second is the client the token was issued to. Empty means <c>{PublicBaseUrl}/api</c>.
    /// </summary>
    public string? AccessTokenAudience { get; set; }
}

/// <summary>One store registered as an OIDC client (<c>Oidc:Clients:{client id}</c>).</summary>
public sealed class OidcClientOptions
{
    /// <summary>
    /// The secret's hash as made by <see cref="ClientSecretHasher"/>:
    /// <c>PBKDF2-SHA256$iterations$salt-base64$hash-base64</c>. Required outside Development.
    /// </summary>
    public string? SecretHash { get; set; }

    /// <summary>A plain secret, hashed at start. Only allowed in Development (appsettings.Development.json).</summary>
    public string? Secret { get; set; }

    /// <summary>Where codes may be sent; compared exactly (scheme, case, port, path and trailing slash).</summary>
    public List<string> RedirectUris { get; init; } = [];

    /// <summary>Where the end-session endpoint may send the browser back to; compared exactly.</summary>
    public List<string> PostLogoutRedirectUris { get; init; } = [];

    /// <summary>The store's back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0); empty for none.</summary>
    public string? BackChannelLogoutUri { get; set; }

    /// <summary>Sign-in scopes the store may ask for (openid, profile, email, offline_access, privacy).</summary>
    public List<string> AllowedScopes { get; init; } = [];

    /// <summary>Store API scopes its client-credentials tokens may carry (see <see cref="StoreApi.StoreApiScopes"/>).</summary>
    public List<string> ApiScopes { get; init; } = [];
}
