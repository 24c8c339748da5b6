using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
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

/// <summary>Validates the ID tokens the provider issued when they come back as hints, with the keys in memory; never accepts <c>alg=none</c> or HMAC.</summary>
public sealed class OidcTokenValidator(OidcIssuer issuer, SigningKeyStore keys, OidcClientRegistry clients)
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

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
