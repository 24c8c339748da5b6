using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Oidc;

/// <summary>Small pieces of OAuth 2.0 shared by the endpoints.</summary>
public static class OidcProtocol
{
    /// <summary>A 256-bit random secret, base64url (codes, refresh tokens).</summary>
    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Codes and refresh tokens are stored only as this hash.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) must equal the stored challenge.</summary>
    public static bool VerifierMatches(string? verifier, string challenge)
    {
        if (verifier is null || verifier.Length is < 43 or > 128 || !verifier.All(IsUnreserved))
        {
            return false;
        }

        var computed = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    /// <summary>An S256 challenge is the base64url of 32 bytes: 43 characters.</summary>
    public static bool LooksLikeS256Challenge(string? challenge) =>
        challenge is { Length: 43 } && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    /// <summary>The one value of a parameter; null when absent or empty; <paramref name="repeated"/> when sent twice (RFC 6749 §3.1).</summary>
    public static string? OneValue(StringValues values, ref bool repeated)
    {
        if (values.Count > 1)
        {
            repeated = true;
        }

        var value = values.Count == 1 ? values[0] : null;
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>An error of the token, revocation or introspection endpoint (RFC 6749 §5.2), never cached.</summary>
    public static IResult Error(HttpContext context, string error, string? description = null, int status = StatusCodes.Status400BadRequest)
    {
        ArgumentNullException.ThrowIfNull(context);
        NoStore(context);
        return Results.Json(new OAuthError(error, description), OidcJson.Default.OAuthError, statusCode: status);
    }

    /// <summary>The form body, or null when it cannot be read (<see cref="FormBody"/>).</summary>
    public static Task<IFormCollection?> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken) =>
        FormBody.ReadOrNullAsync(request, cancellationToken);

    /// <summary>The answer to a form body that cannot be read.</summary>
    public static IResult UnreadableForm(HttpContext context) =>
        Error(context, "invalid_request", "The form body is not valid application/x-www-form-urlencoded UTF-8.");

    public static void NoStore(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }

    /// <summary>Appends parameters to a registered redirect URI, keeping any query it already has.</summary>
    public static string AppendQuery(string uri, IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var builder = new StringBuilder(uri);
        var separator = uri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return builder.ToString();
    }

    /// <summary>
    /// client_secret_basic or client_secret_post (never both, RFC 6749 §2.3). The Basic header's
    /// parts are form-urlencoded (RFC 6749 §2.3.1), so they are decoded before comparing.
    /// </summary>
    public static ClientCredentials? ReadClientCredentials(HttpRequest request, IFormCollection form, out bool malformed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(form);
        malformed = false;
        var header = request.Headers.Authorization.ToString();
        var postedId = form["client_id"].ToString();
        var postedSecret = form["client_secret"].ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (postedSecret.Length > 0)
            {
                malformed = true;
                return null;
            }

            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    malformed = true;
                    return null;
                }

                var id = Uri.UnescapeDataString(decoded[..colon].Replace('+', ' '));
                if (postedId.Length > 0 && postedId != id)
                {
                    malformed = true;
                    return null;
                }

                return new ClientCredentials(id, Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' ')), Basic: true);
            }
            catch (FormatException)
            {
                malformed = true;
                return null;
            }
        }

        return postedId.Length > 0 && postedSecret.Length > 0 ? new ClientCredentials(postedId, postedSecret, Basic: false) : null;
    }

    /// <summary>
    /// Authenticates the calling client, or answers 401 invalid_client (with a Basic challenge when
    /// Basic was tried), or 429 with Retry-After when too many secrets were tried.
    /// </summary>
    public static async Task<(OidcClient? Client, IResult? Failure)> AuthenticateClientAsync(
        HttpContext context, IFormCollection form, ClientAuthenticator authenticator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authenticator);
        var credentials = ReadClientCredentials(context.Request, form, out var malformed);
        if (malformed)
        {
            return (null, Error(context, "invalid_request", "Send the client credentials once: either HTTP Basic or client_id and client_secret in the body."));
        }

        var result = await authenticator.AuthenticateAsync(
            credentials?.ClientId, credentials?.Secret, ClientNetwork.LimitKey(context.Connection.RemoteIpAddress), cancellationToken);
        switch (result.Status)
        {
            case ClientAuthenticationStatus.Authenticated:
                return (result.Client, null);
            case ClientAuthenticationStatus.Throttled:
                context.Response.Headers.RetryAfter = "60";
                return (null, Error(context, "invalid_client", "Too many client authentications failed; try again in a minute.", StatusCodes.Status429TooManyRequests));
            default:
                if (credentials?.Basic != false)
                {
                    context.Response.Headers.WWWAuthenticate = new AuthenticationHeaderValue("Basic", "realm=\"oidc\"").ToString();
                }

                return (null, Error(context, "invalid_client", "Client authentication failed.", StatusCodes.Status401Unauthorized));
        }
    }
}

public sealed record ClientCredentials(string ClientId, string Secret, bool Basic);

public sealed record OAuthError(
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string? ErrorDescription);
