using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using PrivacyPortal.Data;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Oidc;

/// <summary>The issuer and endpoint addresses, built from <c>Portal:PublicBaseUrl</c> only.</summary>
public sealed class OidcIssuer(IOptions<PortalOptions> portal, IOptions<OidcOptions> oidc)
{
    /// <summary>As OpenIddict writes it (<c>Uri.AbsoluteUri</c>): a path-less issuer ends with a slash.</summary>
    public string Issuer { get; } = portal.Value.Link("").AbsoluteUri;

    public string AccessTokenAudience { get; } = string.IsNullOrEmpty(oidc.Value.AccessTokenAudience)
        ? portal.Value.Link("api").ToString()
        : oidc.Value.AccessTokenAudience;

    public string Endpoint(string path) => Issuer.TrimEnd('/') + path;
}

public sealed record IssuedToken(string Token, string Jti, DateTimeOffset ExpiresAt);

/// <summary>The claims of a valid access token of ours.</summary>
public sealed record AccessTokenInfo(
    string Subject,
    string ClientId,
    IReadOnlyList<string> Scopes,
    string Jti,
    Guid? GrantId,
    Guid? TokenEntryId,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt)
{
    public bool HasScope(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);

    /// <summary>True for a client-credentials token: the store itself, not a person.</summary>
    public bool IsClientToken => GrantId is null && Subject == ClientId;
}

/// <summary>Issues the provider's tokens. Every one names its key in <c>kid</c>.</summary>
public sealed class OidcTokenFactory(OidcIssuer issuer, SigningKeyStore keys, TimeProvider time)
{
    public const string AccessTokenType = "at+jwt";
    public const string LogoutTokenType = "logout+jwt";
    public const string IdTokenType = "JWT";
    public const string BackChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    private static readonly JsonWebTokenHandler Writer = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>
    /// A back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.4), RS256. OpenIddict
    /// has no such token type, so it is written here with IdentityModel's handler, the one
    /// OpenIddict writes its own JWTs with, and the same database key as the ID tokens.
    /// </summary>
    public async ValueTask<string> CreateLogoutTokenAsync(string clientId, Guid subjectId, Guid sessionId, CancellationToken cancellationToken)
    {
        var key = (await keys.GetAsync(cancellationToken)).IdTokenKey;
        var now = time.GetUtcNow();
        return Writer.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = LogoutTokenType,
            SigningCredentials = key.Credentials,
            Issuer = issuer.Issuer,
            Audience = clientId,
            IssuedAt = now.UtcDateTime,
            Expires = now.AddMinutes(2).UtcDateTime,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["sub"] = subjectId.ToString(),
                ["jti"] = NewId(),
                ["sid"] = sessionId.ToString(),
                ["events"] = new Dictionary<string, object>(StringComparer.Ordinal) { [BackChannelLogoutEvent] = new Dictionary<string, object>() },
            },
        });
    }

    public static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}

/// <summary>
/// Turns the portal's sign-in methods into <c>amr</c> values (RFC 8176 where one fits). The 6-digit
/// code typed in from the email is a one-time password: <c>otp</c>. Following the link proves control
/// of the mailbox without typing anything: <c>magic_link</c>, a value of ours (RFC 8176 has none for
/// it). Staff who also gave an authenticator code add <c>otp</c> and <c>mfa</c>.
/// </summary>
public static class AuthenticationMethods
{
    public const string MagicLink = "magic_link";
    public const string Otp = "otp";
    public const string Mfa = "mfa";

    public static IReadOnlyList<string> ToAmr(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        var parts = method.Split('+');
        var amr = new List<string>(3) { parts[0] == "code" ? Otp : MagicLink };
        if (parts.Skip(1).Contains("totp", StringComparer.Ordinal))
        {
            if (!amr.Contains(Otp))
            {
                amr.Add(Otp);
            }

            amr.Add(Mfa);
        }

        return amr;
    }
}

/// <summary>Validates tokens the provider issued, with the keys in memory; never accepts <c>alg=none</c> or HMAC.</summary>
public sealed class OidcTokenValidator(OidcIssuer issuer, SigningKeyStore keys, OidcClientRegistry clients, TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public async Task<AccessTokenInfo?> ValidateAccessTokenAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        var result = await ValidateAsync(token, set => new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudience = issuer.AccessTokenAudience,
            IssuerSigningKeys = set.AccessTokenValidationKeys,
            ValidAlgorithms = [SigningAlgorithms.Es256],
            ValidTypes = [OidcTokenFactory.AccessTokenType],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            LifetimeValidator = Lifetime,
        }, cancellationToken);
        if (result?.SecurityToken is not JsonWebToken jwt
            || !jwt.TryGetPayloadValue<string>("client_id", out var clientId)
            || !jwt.TryGetPayloadValue<string>("jti", out var jti))
        {
            return null;
        }

        jwt.TryGetPayloadValue<string>("scope", out var scope);
        // OpenIddict's private claims: the token's row and its authorization (our grant).
        Guid? grantId = jwt.TryGetPayloadValue<string>("oi_au_id", out var gid) && Guid.TryParse(gid, out var parsed) ? parsed : null;
        Guid? entryId = jwt.TryGetPayloadValue<string>("oi_tkn_id", out var tid) && Guid.TryParse(tid, out var parsedEntry) ? parsedEntry : null;
        return new AccessTokenInfo(jwt.Subject, clientId, OidcScopes.Parse(scope), jti, grantId, entryId, jwt.IssuedAt, jwt.ValidTo);
    }

    /// <summary>
    /// An <c>id_token_hint</c>: our signature and issuer, <c>typ</c> JWT (so a logout token, signed by
    /// the same key, is no hint), and one audience that is <paramref name="clientId"/> when given, else
    /// any registered client. An expired token is still a valid hint (OIDC RP-Initiated Logout §2).
    /// </summary>
    public async Task<JsonWebToken?> ValidateIdTokenHintAsync(string? token, string? clientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return null;
        }

        string[] audiences = clientId is null ? [.. clients.All.Select(c => c.ClientId)] : [clientId];
        var result = await ValidateAsync(token, set => new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudiences = audiences,
            IssuerSigningKeys = set.IdTokenValidationKeys,
            ValidAlgorithms = [SigningAlgorithms.Rs256],
            ValidTypes = [OidcTokenFactory.IdTokenType],
            ValidateLifetime = false,
            RequireSignedTokens = true,
        }, cancellationToken);
        return result?.SecurityToken is JsonWebToken jwt && jwt.Audiences.Count() == 1 ? jwt : null;
    }

    /// <summary>Lifetime on the portal's clock (tests move it), with 30 s of skew for instances whose clocks differ.</summary>
    private bool Lifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var skew = TimeSpan.FromSeconds(30);
        return expires is not null && expires.Value > now - skew && (notBefore is null || notBefore.Value <= now + skew);
    }

    private async Task<TokenValidationResult?> ValidateAsync(string token, Func<SigningKeySet, TokenValidationParameters> parameters, CancellationToken cancellationToken)
    {
        var set = await keys.GetAsync(cancellationToken);
        var result = await Handler.ValidateTokenAsync(token, parameters(set));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Another instance may have rotated; look once more before refusing.
            var refreshed = await keys.RefreshForUnknownKeyAsync(cancellationToken);
            if (!ReferenceEquals(refreshed, set))
            {
                result = await Handler.ValidateTokenAsync(token, parameters(refreshed));
            }
        }

        return result.IsValid ? result : null;
    }
}

/// <summary>Whether the portal still honours an access token it signed: its row or its jti, and its grant, not revoked.</summary>
public static class AccessTokenRevocation
{
    public static async Task<bool> IsRevokedAsync(PortalDbContext db, AccessTokenInfo token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(token);
        if (token.TokenEntryId is { } entryId
            && !await db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>().AnyAsync(t => t.Id == entryId && t.Status == OpenIddict.Abstractions.OpenIddictConstants.Statuses.Valid, cancellationToken))
        {
            return true;
        }

        // A client-credentials token has no row: revoking it put its jti on the revocation list.
        if (token.TokenEntryId is null && await db.Set<OidcRevokedAccessToken>().AnyAsync(t => t.Jti == token.Jti, cancellationToken))
        {
            return true;
        }

        return token.GrantId is { } grantId
            && !await db.Set<OidcGrant>().AnyAsync(g => g.Id == grantId && g.RevokedAt == null, cancellationToken);
    }
}
