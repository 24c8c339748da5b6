using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// The token endpoint (RFC 6749 §3.2): authorization_code with PKCE, refresh_token with rotation
/// and reuse detection, client_credentials for the store API. client_credentials touches no
/// database: the client check is in memory and the token is an ES256 JWT.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        ClientAuthenticator authenticator,
        OidcTokenFactory tokens,
        IServiceProvider services,
        TimeProvider time,
        IOptions<OidcOptions> options,
        CancellationToken cancellationToken)
    {
        OidcProtocol.NoStore(context);
        if (!context.Request.HasFormContentType)
        {
            return OidcProtocol.Error(context, "invalid_request", "The token request must be application/x-www-form-urlencoded.");
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

        if (form.Any(p => p.Value.Count > 1))
        {
            return OidcProtocol.Error(context, "invalid_request", "A parameter was sent more than once.");
        }

        var grantType = form["grant_type"].ToString();
        return grantType switch
        {
            "client_credentials" => await ClientCredentialsAsync(context, client, form, tokens, options.Value, cancellationToken),
            "authorization_code" => await new CodeRedemption(services.GetRequiredService<PortalDbContext>(), tokens, time, options.Value)
                .RedeemAsync(context, client, form, cancellationToken),
            "refresh_token" => await new CodeRedemption(services.GetRequiredService<PortalDbContext>(), tokens, time, options.Value)
                .RefreshAsync(context, client, form, cancellationToken),
            "" => OidcProtocol.Error(context, "invalid_request", "grant_type is required."),
            _ => OidcProtocol.Error(context, "unsupported_grant_type", "Supported: authorization_code, refresh_token, client_credentials."),
        };
    }

    private static async Task<IResult> ClientCredentialsAsync(
        HttpContext context, OidcClient client, IFormCollection form, OidcTokenFactory tokens, OidcOptions options, CancellationToken cancellationToken)
    {
        if (client.ApiScopes.Count == 0)
        {
            return OidcProtocol.Error(context, "unauthorized_client", "This client may not use client_credentials.");
        }

        var requested = OidcScopes.Parse(form["scope"]);
        var notAllowed = requested.FirstOrDefault(s => !client.ApiScopes.Contains(s, StringComparer.Ordinal));
        if (notAllowed is not null)
        {
            return OidcProtocol.Error(context, "invalid_scope", $"The scope '{notAllowed}' is not allowed for this client.");
        }

        var scope = string.Join(' ', requested.Count > 0 ? requested : client.ApiScopes);
        var token = await tokens.CreateAccessTokenAsync(client.ClientId, client.ClientId, scope, grantId: null, cancellationToken);
        return Results.Json(
            new TokenResponse(token.Token, "Bearer", (int)options.AccessTokenLifetime.TotalSeconds, null, null, scope),
            OidcJson.Default.TokenResponse);
    }
}

/// <summary>Redeems codes and refresh tokens; each is used by exactly one conditional UPDATE.</summary>
internal sealed class CodeRedemption(PortalDbContext db, OidcTokenFactory tokens, TimeProvider time, OidcOptions options)
{
    public async Task<IResult> RedeemAsync(HttpContext context, OidcClient client, IFormCollection form, CancellationToken cancellationToken)
    {
        var code = form["code"].ToString();
        if (code.Length is 0 or > 100)
        {
            return OidcProtocol.Error(context, "invalid_request", "code is required.");
        }

        var now = time.GetUtcNow();
        var hash = OidcProtocol.Hash(code);
        var row = await db.Set<OidcAuthorizationCode>().AsNoTracking().FirstOrDefaultAsync(c => c.CodeHash == hash, cancellationToken);
        if (row is null || row.ClientId != client.ClientId)
        {
            return InvalidGrant(context, "The code is unknown or was issued to another client.");
        }

        if (row.RedeemedAt is not null)
        {
            // RFC 6749 §4.1.2: a code used twice was probably stolen; everything it gave is withdrawn.
            await RevokeGrantAsync(row.GrantId, "code-reuse", cancellationToken);
            return InvalidGrant(context, "The code was already used; the tokens issued for it are revoked.");
        }

        if (row.ExpiresAt <= now)
        {
            return InvalidGrant(context, "The code has expired.");
        }

        if (form["redirect_uri"].ToString() != row.RedirectUri)
        {
            return InvalidGrant(context, "redirect_uri does not match the authorization request.");
        }

        if (!OidcProtocol.VerifierMatches(form["code_verifier"], row.CodeChallenge))
        {
            return InvalidGrant(context, "code_verifier does not match the S256 code_challenge.");
        }

        // Read before the code is marked: a parallel replay that loses the UPDATE below revokes the
        // grant at once, and the winner must still answer with the tokens that revocation ends.
        var grant = await db.Set<OidcGrant>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == row.GrantId && g.RevokedAt == null, cancellationToken);
        if (grant is null || !await SubjectIsActiveAsync(grant.SubjectId, now, cancellationToken))
        {
            return InvalidGrant(context, "The sign-in behind this code has ended.");
        }

        var won = await db.Set<OidcAuthorizationCode>()
            .Where(c => c.Id == row.Id && c.RedeemedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RedeemedAt, now), cancellationToken);
        if (won != 1)
        {
            await RevokeGrantAsync(row.GrantId, "code-reuse", cancellationToken);
            return InvalidGrant(context, "The code was already used; the tokens issued for it are revoked.");
        }

        return await IssueAsync(context, grant, row.Nonce, cancellationToken);
    }

    public async Task<IResult> RefreshAsync(HttpContext context, OidcClient client, IFormCollection form, CancellationToken cancellationToken)
    {
        var presented = form["refresh_token"].ToString();
        if (presented.Length is 0 or > 100)
        {
            return OidcProtocol.Error(context, "invalid_request", "refresh_token is required.");
        }

        var now = time.GetUtcNow();
        var hash = OidcProtocol.Hash(presented);
        var row = await db.Set<OidcRefreshToken>().AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        var grant = row is null ? null : await db.Set<OidcGrant>().AsNoTracking().FirstOrDefaultAsync(g => g.Id == row.GrantId, cancellationToken);
        if (row is null || grant is null || grant.ClientId != client.ClientId)
        {
            return InvalidGrant(context, "The refresh token is unknown or was issued to another client.");
        }

        if (row.ConsumedAt is not null)
        {
            // A rotated token came back: either the store or a thief holds a copy. End the family.
            await RevokeGrantAsync(grant.Id, "refresh-reuse", cancellationToken);
            return InvalidGrant(context, "The refresh token was already used; the whole family is revoked.");
        }

        if (grant.RevokedAt is not null || row.ExpiresAt <= now || grant.ExpiresAt <= now)
        {
            return InvalidGrant(context, "The refresh token has expired or was revoked.");
        }

        if (!await SubjectIsActiveAsync(grant.SubjectId, now, cancellationToken))
        {
            return InvalidGrant(context, "The person's account no longer exists.");
        }

        var requested = OidcScopes.Parse(form["scope"]);
        var granted = OidcScopes.Parse(grant.Scopes);
        if (requested.Any(s => !granted.Contains(s, StringComparer.Ordinal)))
        {
            return OidcProtocol.Error(context, "invalid_scope", "A refresh cannot widen the scope of the original grant.");
        }

        var won = await db.Set<OidcRefreshToken>()
            .Where(t => t.Id == row.Id && t.ConsumedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ConsumedAt, now), cancellationToken);
        if (won != 1)
        {
            await RevokeGrantAsync(grant.Id, "refresh-reuse", cancellationToken);
            return InvalidGrant(context, "The refresh token was already used; the whole family is revoked.");
        }

        return await IssueAsync(context, grant, nonce: null, cancellationToken, requested.Count > 0 ? string.Join(' ', requested) : null);
    }

    private async Task<IResult> IssueAsync(HttpContext context, OidcGrant grant, string? nonce, CancellationToken cancellationToken, string? narrowedScope = null)
    {
        var now = time.GetUtcNow();
        var scope = narrowedScope ?? grant.Scopes;
        string? refreshToken = null;
        if (OidcScopes.Has(grant.Scopes, OidcScopes.OfflineAccess))
        {
            refreshToken = OidcProtocol.NewSecret();
            var expires = now + options.RefreshTokenLifetime;
            db.Add(new OidcRefreshToken
            {
                Id = Guid.NewGuid(),
                TokenHash = OidcProtocol.Hash(refreshToken),
                GrantId = grant.Id,
                CreatedAt = now,
                ExpiresAt = expires < grant.ExpiresAt ? expires : grant.ExpiresAt,
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        var subject = grant.SubjectId.ToString();
        var access = await tokens.CreateAccessTokenAsync(grant.ClientId, subject, scope, grant.Id, cancellationToken);
        var idToken = OidcScopes.Has(scope, OidcScopes.OpenId)
            ? await tokens.CreateIdTokenAsync(grant.ClientId, grant.SubjectId, nonce, grant.AuthTime, grant.AuthenticationMethod, grant.SessionId, cancellationToken)
            : null;
        return Results.Json(
            new TokenResponse(access.Token, "Bearer", (int)options.AccessTokenLifetime.TotalSeconds, refreshToken, idToken, scope),
            OidcJson.Default.TokenResponse);
    }

    /// <summary>An erased account is kept as a locked-out, anonymous row; it signs in nowhere.</summary>
    private Task<bool> SubjectIsActiveAsync(Guid subjectId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Id == subjectId && (u.LockoutEnd == null || u.LockoutEnd <= now), cancellationToken);

    private async Task RevokeGrantAsync(Guid grantId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Set<OidcGrant>()
            .Where(g => g.Id == grantId && g.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.RevokedAt, now).SetProperty(g => g.RevokedReason, reason), cancellationToken);
    }

    private static IResult InvalidGrant(HttpContext context, string description) => OidcProtocol.Error(context, "invalid_grant", description);
}

public sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn,
    [property: System.Text.Json.Serialization.JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("id_token")] string? IdToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("scope")] string Scope);
