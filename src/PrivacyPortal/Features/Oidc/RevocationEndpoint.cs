using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// Token revocation (RFC 7009). A refresh token ends its whole grant, with the access tokens the
/// portal sees from it (§2.1 "SHOULD"); an access token is listed by its <c>jti</c> until it expires.
/// Unknown tokens, or tokens of another client, get the same 200 (§2.2).
/// </summary>
internal static class RevocationEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        OidcTokenValidator validator,
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

        var now = time.GetUtcNow();
        if (!token.Contains('.', StringComparison.Ordinal))
        {
            var hash = OidcProtocol.Hash(token);
            var grantId = await db.Set<OidcRefreshToken>().AsNoTracking()
                .Where(t => t.TokenHash == hash)
                .Join(db.Set<OidcGrant>().Where(g => g.ClientId == client.ClientId), t => t.GrantId, g => g.Id, (t, g) => (Guid?)g.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (grantId is not null)
            {
                await db.Set<OidcGrant>().Where(g => g.Id == grantId && g.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(g => g.RevokedAt, now).SetProperty(g => g.RevokedReason, "revocation"), cancellationToken);
            }

            return Results.Ok();
        }

        var info = await validator.ValidateAccessTokenAsync(token, cancellationToken);
        if (info is not null && info.ClientId == client.ClientId
            && !await db.Set<OidcRevokedAccessToken>().AnyAsync(t => t.Jti == info.Jti, cancellationToken))
        {
            db.Add(new OidcRevokedAccessToken { Jti = info.Jti, ExpiresAt = info.ExpiresAt });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Revoked by a parallel request in between: the outcome is the same.
            }
        }

        return Results.Ok();
    }
}
