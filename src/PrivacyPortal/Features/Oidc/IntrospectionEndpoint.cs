using System.Buffers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// Token introspection (RFC 7662) for authenticated clients only. A client learns about its own
/// tokens; for anything else, including another store's tokens, the answer is <c>{"active":false}</c>.
/// </summary>
internal static class IntrospectionEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        OidcTokenValidator validator,
        OidcIssuer issuer,
        PortalDbContext db,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        OidcProtocol.NoStore(context);
        if (!context.Request.HasFormContentType)
        {
            return OidcProtocol.Error(context, "invalid_request", "The request must be application/x-www-form-urlencoded.");
        }

        if (await OidcProtocol.ReadFormAsync(context.Request, cancellationToken) is not { } form)
        {
            return OidcProtocol.UnreadableForm(context);
        }

        var (client, failure) = await OidcProtocol.AuthenticateClientAsync(context, form, authenticator, cancellationToken);
        if (client is null)
        {
            return failure!;
        }

        var token = form["token"].ToString();
        if (token.Length == 0)
        {
            return OidcProtocol.Error(context, "invalid_request", "token is required.");
        }

        if (token.Contains('.', StringComparison.Ordinal))
        {
            var info = await validator.ValidateAccessTokenAsync(token, cancellationToken);
            if (info is null || info.ClientId != client.ClientId || await AccessTokenRevocation.IsRevokedAsync(db, info, cancellationToken))
            {
                return Inactive();
            }

            return Active(json =>
            {
                json.WriteString("scope", string.Join(' ', info.Scopes));
                json.WriteString("client_id", info.ClientId);
                json.WriteString("sub", info.Subject);
                json.WriteString("token_type", "Bearer");
                json.WriteNumber("exp", info.ExpiresAt.ToUnixTimeSeconds());
                json.WriteNumber("iat", info.IssuedAt.ToUnixTimeSeconds());
                json.WriteString("iss", issuer.Issuer);
                json.WriteString("aud", issuer.AccessTokenAudience);
                json.WriteString("jti", info.Jti);
            });
        }

        var now = time.GetUtcNow();
        var hash = OidcProtocol.Hash(token);
        var refresh = await db.Set<OidcRefreshToken>().AsNoTracking()
            .Where(t => t.TokenHash == hash && t.ConsumedAt == null && t.ExpiresAt > now)
            .Join(db.Set<OidcGrant>().Where(g => g.ClientId == client.ClientId && g.RevokedAt == null && g.ExpiresAt > now),
                t => t.GrantId, g => g.Id, (t, g) => new { t.ExpiresAt, t.CreatedAt, g.SubjectId, g.Scopes, g.ClientId })
            .FirstOrDefaultAsync(cancellationToken);
        if (refresh is null)
        {
            return Inactive();
        }

        return Active(json =>
        {
            json.WriteString("scope", refresh.Scopes);
            json.WriteString("client_id", refresh.ClientId);
            json.WriteString("sub", refresh.SubjectId.ToString());
            json.WriteString("token_type", "refresh_token");
            json.WriteNumber("exp", refresh.ExpiresAt.ToUnixTimeSeconds());
            json.WriteNumber("iat", refresh.CreatedAt.ToUnixTimeSeconds());
            json.WriteString("iss", issuer.Issuer);
        });
    }

    private static IResult Inactive() => Results.Bytes("{\"active\":false}"u8.ToArray(), "application/json");

    private static IResult Active(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("active", true);
            write(json);
            json.WriteEndObject();
        }

        return Results.Bytes(buffer.WrittenSpan.ToArray(), "application/json");
    }
}
