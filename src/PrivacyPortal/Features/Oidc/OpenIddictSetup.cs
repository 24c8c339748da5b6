using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Oidc.StoreApi;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// OpenIddict configured for the portal: the protocol (code flow with PKCE S256, refresh rotation
/// without leeway, client credentials, introspection, revocation, discovery, JWKS) is the library's;
/// the keys, client secrets, grants and people are ours and plugged in as event handlers.
/// </summary>
internal static class OpenIddictSetup
{
    public static void AddOpenIddictServer(this IServiceCollection services)
    {
        services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<PortalDbContext>().ReplaceDefaultEntities<Guid>();
                core.ReplaceApplicationStore<OpenIddictEntityFrameworkCoreApplication<Guid>, OidcApplicationStore>();
            })
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris(Relative(OidcEndpoints.Authorize))
                    .SetTokenEndpointUris(Relative(OidcEndpoints.Token))
                    .SetIntrospectionEndpointUris(Relative(OidcEndpoints.Introspection))
                    .SetRevocationEndpointUris(Relative(OidcEndpoints.Revocation))
                    .SetEndSessionEndpointUris(Relative(OidcEndpoints.EndSession))
                    .SetUserInfoEndpointUris(Relative(OidcEndpoints.UserInfo))
                    .SetConfigurationEndpointUris(Relative(OidcEndpoints.Discovery))
                    .SetJsonWebKeySetEndpointUris(Relative(OidcEndpoints.Jwks));
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().AllowClientCredentialsFlow();
                server.RequireProofKeyForCodeExchange();
                server.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                // A rotated refresh token that comes back is a reuse at once: no grace period.
                server.SetRefreshTokenReuseLeeway(null);
                server.RegisterScopes([.. OidcScopes.Identity, .. StoreApiScopes.All]);
                server.DisableAccessTokenEncryption();
                // Codes and refresh tokens are sealed with the Data Protection key ring in the database,
                // so any instance redeems them; access tokens stay JWTs the stores can validate.
                server.UseDataProtection().PreferDefaultAccessTokenFormat();
                // Placeholders OpenIddict insists on at start-up; every token is signed with the
                // database keys instead (OurSigningKeys below), and JWKS publishes only those.
                server.AddEncryptionKey(PlaceholderKeys.Encryption).AddSigningKey(PlaceholderKeys.Signing);
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableErrorPassthrough();

                server.AddEventHandler(OurInteractiveErrors.Descriptor);
                server.RemoveEventHandler(OpenIddictServerHandlers.ValidateClientSecret.Descriptor);
                server.AddEventHandler(ClientSecretCheck.Descriptor);
                server.AddEventHandler(ThrottledClientAnswer<ApplyTokenResponseContext>.Descriptor);
                server.AddEventHandler(ThrottledClientAnswer<ApplyIntrospectionResponseContext>.Descriptor);
                server.AddEventHandler(ThrottledClientAnswer<ApplyRevocationResponseContext>.Descriptor);
                server.AddEventHandler(OurSigningKeys.Descriptor);
                server.AddEventHandler(ClientTokensWithoutRow.Descriptor);
                server.AddEventHandler(AmrAsArray.Descriptor);
                server.AddEventHandler(OurValidationKeys.Descriptor);
                server.AddEventHandler(OurJwks.Descriptor);
                server.AddEventHandler(OurDiscovery.Descriptor);
                server.AddEventHandler(GrantCheck.Descriptor);
                server.AddEventHandler(TokenRequest.Descriptor);
                server.AddEventHandler(RefreshRevocationEndsGrant.Descriptor);
                server.AddEventHandler(RevokedClientTokenCheck.Descriptor);
                // OpenIddict revokes a token through its row; a client-credentials token has none and
                // goes on our revocation list instead (RevokeClientToken).
                // (Replaced in place: RemoveEventHandler would also drop the re-added handler of the same type.)
                server.Configure(options =>
                {
                    var index = options.Handlers.FindIndex(d => d.ServiceDescriptor.ServiceType == typeof(OpenIddictServerHandlers.Revocation.RevokeToken));
                    options.Handlers[index] = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
                        .Import(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor)
                        .AddFilter<RequireTokenRow>()
                        .Build();
                });
                server.AddEventHandler(RevokeClientToken.Descriptor);
                // A person's access token is checked by one query (AccessTokenEntryCheck) instead of
                // OpenIddict's three lookups of its row and authorization and our grant check.
                server.AddEventHandler(AccessTokenEntryCheck.Descriptor);
                server.Configure(options =>
                {
                    foreach (var builtIn in new[]
                    {
                        OpenIddictServerHandlers.Protection.RestoreTokenEntryProperties.Descriptor,
                        OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor,
                        OpenIddictServerHandlers.Protection.ValidateAuthorizationEntry.Descriptor,
                    })
                    {
                        var index = options.Handlers.FindIndex(d => d.ServiceDescriptor.ServiceType == builtIn.ServiceDescriptor.ServiceType);
                        options.Handlers[index] = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
                            .Import(builtIn)
                            .AddFilter<RequireNoAccessTokenRowCheck>()
                            .Build();
                    }
                });
                server.AddEventHandler(IntrospectedRefreshTokenType.Descriptor);
            });

        services.AddOptions<OpenIddictServerOptions>().Configure<IOptions<PortalOptions>, IOptions<OidcOptions>>((server, portal, oidc) =>
        {
            server.Issuer = portal.Value.Link("");
            server.AuthorizationCodeLifetime = oidc.Value.AuthorizationCodeLifetime;
            server.AccessTokenLifetime = oidc.Value.AccessTokenLifetime;
            server.IdentityTokenLifetime = oidc.Value.IdTokenLifetime;
            server.RefreshTokenLifetime = oidc.Value.RefreshTokenLifetime;
        });
        // OpenIddict refuses plain HTTP. In production TLS ends at the proxy, whose X-Forwarded-Proto
        // (Proxy:KnownProxies) makes the request HTTPS again; only a developer's machine and the
        // tests talk plain HTTP to the portal itself.
        services.AddOptions<OpenIddictServerAspNetCoreOptions>().Configure<IHostEnvironment>((aspNetCore, environment) =>
            aspNetCore.DisableTransportSecurityRequirement = environment.IsDevelopment() || environment.IsEnvironment("Testing"));
        services.AddSingleton<RequireTokenRow>();
        services.AddSingleton<RequireNoAccessTokenRowCheck>();
        services.AddSingleton<OidcApplicationsInMemory>();
        services.AddScoped<IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication<Guid>>, OidcApplicationsUncached>();
        services.AddHostedService<OidcApplicationsSync>();
    }

    private static string Relative(string path) => path.TrimStart('/');

    /// <summary>The HTTP context of an OpenIddict transaction.</summary>
    internal static HttpContext Http(this OpenIddictServerTransaction transaction) =>
        transaction.GetHttpRequest()?.HttpContext ?? throw new InvalidOperationException("No HTTP request behind this OpenIddict transaction.");
}

/// <summary>
/// Authorize and end-session answer their errors themselves: our checks run first, so an unknown
/// client or an unregistered redirect URI ends on our localized error page and everything else goes
/// back to the store with <c>state</c> and <c>iss</c>, as before. OpenIddict's own verdict stays
/// available to those endpoints through <c>GetOpenIddictServerResponse()</c>.
/// </summary>
internal sealed class OurInteractiveErrors : IOpenIddictServerHandler<ProcessErrorContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessErrorContext>()
        .UseSingletonHandler<OurInteractiveErrors>()
        .SetOrder(OpenIddictServerHandlers.AttachErrorParameters.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(ProcessErrorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType is OpenIddictServerEndpointType.Authorization or OpenIddictServerEndpointType.EndSession)
        {
            context.SkipRequest();
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Client secrets are checked by <see cref="ClientAuthenticator"/>: our hash format, the in-memory
/// check of a secret already verified, and the per-IP and per-client limits on PBKDF2 runs.
/// </summary>
internal sealed class ClientSecretCheck(ClientAuthenticator authenticator) : IOpenIddictServerHandler<ProcessAuthenticationContext>
{
    public const string ThrottledProperty = "pp_client_throttled";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessAuthenticationContext>()
        .UseScopedHandler<ClientSecretCheck>()
        .SetOrder(OpenIddictServerHandlers.ValidateClientSecret.Descriptor.Order)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ProcessAuthenticationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.EndpointType is not (OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.Introspection or OpenIddictServerEndpointType.Revocation)
            || string.IsNullOrEmpty(context.ClientId))
        {
            return;
        }

        var http = context.Transaction.Http();
        var result = await authenticator.AuthenticateAsync(
            context.ClientId, context.ClientSecret, ClientNetwork.LimitKey(http.Connection.RemoteIpAddress), http.RequestAborted);
        switch (result.Status)
        {
            case ClientAuthenticationStatus.Authenticated:
                return;
            case ClientAuthenticationStatus.Throttled:
                context.Transaction.Properties[ThrottledProperty] = true;
                context.Reject(Errors.InvalidClient, "Too many client authentications failed; try again in a minute.");
                return;
            default:
                context.Reject(Errors.InvalidClient, "Client authentication failed.");
                return;
        }
    }
}

/// <summary>A throttled client check is answered 429 with Retry-After, not 401.</summary>
internal sealed class ThrottledClientAnswer<TContext> : IOpenIddictServerHandler<TContext>
    where TContext : BaseRequestContext
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
        .UseSingletonHandler<ThrottledClientAnswer<TContext>>()
        .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<TContext>.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(TContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Transaction.Properties.ContainsKey(ClientSecretCheck.ThrottledProperty))
        {
            var response = context.Transaction.Http().Response;
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            response.Headers.RetryAfter = "60";
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Access tokens are signed with the current ES256 key, everything else with the current RS256 key, both from the database.</summary>
internal sealed class OurSigningKeys(SigningKeyStore keys) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
        .UseSingletonHandler<OurSigningKeys>()
        .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SigningCredentials is null)
        {
            return;
        }

        var set = await keys.GetAsync(context.Transaction.Http().RequestAborted);
        context.SigningCredentials = context.TokenType == TokenTypeIdentifiers.AccessToken
            ? set.AccessTokenKey.Credentials
            : set.IdTokenKey.Credentials;
    }
}

/// <summary>OpenIddict writes a claim with one value as a string; OIDC Core §2 defines <c>amr</c> as an array.</summary>
internal sealed class AmrAsArray : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
        .UseSingletonHandler<AmrAsArray>()
        .SetOrder(OpenIddictServerHandlers.Protection.AttachTokenPayload.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.SecurityTokenDescriptor.Claims is { } claims
            && claims.TryGetValue(Claims.AuthenticationMethodReference, out var amr) && amr is string single)
        {
            claims[Claims.AuthenticationMethodReference] = new[] { single };
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Our own JWTs (access tokens, ID token hints) validate against the published database keys.</summary>
internal sealed class OurValidationKeys(SigningKeyStore keys) : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
        .UseSingletonHandler<OurValidationKeys>()
        .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var set = await keys.GetAsync(context.Transaction.Http().RequestAborted);
        context.TokenValidationParameters.IssuerSigningKeys = [.. set.AccessTokenValidationKeys, .. set.IdTokenValidationKeys];
    }
}

/// <summary>JWKS lists the database keys (next, current, previous per algorithm), never the start-up placeholder.</summary>
internal sealed class OurJwks(SigningKeyStore keys) : IOpenIddictServerHandler<HandleJsonWebKeySetRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleJsonWebKeySetRequestContext>()
        .UseSingletonHandler<OurJwks>()
        .SetOrder(int.MaxValue - 100_000)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(HandleJsonWebKeySetRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var set = await keys.GetAsync(context.Transaction.Http().RequestAborted);
        context.Keys.Clear();
        foreach (var key in set.Published)
        {
            var jwk = new JsonWebKey { Kid = key.Id, Use = JsonWebKeyUseNames.Sig, Alg = key.Algorithm, Kty = key.Jwk["kty"] };
            if (jwk.Kty == "RSA")
            {
                jwk.N = key.Jwk["n"];
                jwk.E = key.Jwk["e"];
            }
            else
            {
                jwk.Crv = key.Jwk["crv"];
                jwk.X = key.Jwk["x"];
                jwk.Y = key.Jwk["y"];
            }

            context.Keys.Add(jwk);
        }
    }
}

/// <summary>Discovery names what the keys really sign with.</summary>
internal sealed class OurDiscovery : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
        .UseSingletonHandler<OurDiscovery>()
        .SetOrder(int.MaxValue - 100_000)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.IdTokenSigningAlgorithms.Clear();
        context.IdTokenSigningAlgorithms.Add(SigningAlgorithms.Rs256);
        context.Claims.UnionWith(["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "sid", "name", "locale", "email", "email_verified", "privacy"]);
        context.Metadata["ui_locales_supported"] = JsonSerializer.SerializeToElement(PortalCultures.Names);
        context.Metadata["backchannel_logout_supported"] = true;
        context.Metadata["backchannel_logout_session_supported"] = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A token is honoured only while its grant (the OpenIddict authorization, mirrored in
/// <c>OidcGrants</c> for sign-out and erasure) is not revoked, not past its absolute lifetime, and
/// its person can still sign in (an erased account is locked out).
/// </summary>
internal sealed class GrantCheck(PortalDbContext db, TimeProvider time) : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
        .UseScopedHandler<GrantCheck>()
        .SetOrder(OpenIddictServerHandlers.Protection.ValidateAuthorizationEntry.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Guid.TryParse(context.Principal?.GetAuthorizationId(), out var grantId) || AccessTokenEntryCheck.Covers(context.Principal))
        {
            return;
        }

        var now = time.GetUtcNow();
        var live = await db.Set<OidcGrant>().AsNoTracking()
            .Where(g => g.Id == grantId && g.RevokedAt == null && g.ExpiresAt > now)
            .AnyAsync(g => db.Users.Any(u => u.Id == g.SubjectId && (u.LockoutEnd == null || u.LockoutEnd <= now)), context.Transaction.Http().RequestAborted);
        if (!live)
        {
            var type = context.Principal!.GetTokenType();
            context.Reject(
                type is TokenTypeIdentifiers.Private.AuthorizationCode or TokenTypeIdentifiers.RefreshToken ? Errors.InvalidGrant : Errors.InvalidToken,
                "The sign-in behind this token has ended.");
        }
    }
}

/// <summary>
/// The token endpoint's decisions: a client-credentials token for the store API scopes a client may
/// use; a code or refresh token gives the principal it carries, with a refresh token that never
/// outlives the grant's absolute lifetime.
/// </summary>
internal sealed class TokenRequest(
    OidcClientRegistry clients,
    OidcIssuer issuer,
    PortalDbContext db,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    TimeProvider time,
    IOptions<OidcOptions> options)
    : IOpenIddictServerHandler<HandleTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleTokenRequestContext>()
        .UseScopedHandler<TokenRequest>()
        .SetOrder(int.MaxValue - 100_000)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(HandleTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var client = clients.Find(context.ClientId);
        if (client is null)
        {
            context.Reject(Errors.InvalidClient, "Client authentication failed.");
            return;
        }

        if (context.Request.IsClientCredentialsGrantType())
        {
            if (client.ApiScopes.Count == 0)
            {
                context.Reject(Errors.UnauthorizedClient, "This client may not use client_credentials.");
                return;
            }

            var requested = OidcScopes.Parse(context.Request.Scope);
            var notAllowed = requested.FirstOrDefault(s => !client.ApiScopes.Contains(s, StringComparer.Ordinal));
            if (notAllowed is not null)
            {
                context.Reject(Errors.InvalidScope, $"The scope '{notAllowed}' is not allowed for this client.");
                return;
            }

            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, client.ClientId);
            var principal = new ClaimsPrincipal(identity);
            principal.SetScopes(requested.Count > 0 ? requested : client.ApiScopes);
            principal.SetAudiences(issuer.AccessTokenAudience, client.ClientId);
            principal.SetDestinations(static _ => [Destinations.AccessToken]);
            context.SignIn(principal);
            return;
        }

        if (context.Principal is not { } carried)
        {
            context.Reject(Errors.InvalidGrant, "The grant is not valid.");
            return;
        }

        var requestedScopes = OidcScopes.Parse(context.Request.Scope);
        if (requestedScopes.Count > 0)
        {
            carried.SetScopes(requestedScopes);
        }

        if (context.Request.IsRefreshTokenGrantType() && Guid.TryParse(carried.GetAuthorizationId(), out var grantId))
        {
            var cancellationToken = context.Transaction.Http().RequestAborted;
            // OpenIddict 7.9 marks a refresh token redeemed but ignores whether that write won, so two
            // parallel refreshes with one token could both succeed. One conditional UPDATE decides:
            // the loser is a reuse, and a reuse ends the family.
            if (Guid.TryParse(carried.GetTokenId(), out var tokenId)
                && await db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>()
                    .Where(t => t.Id == tokenId && t.Status == Statuses.Valid)
                    .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, Statuses.Redeemed).SetProperty(t => t.RedemptionDate, time.GetUtcNow().UtcDateTime), cancellationToken) != 1)
            {
                await GrantRevocation.RevokeAsync(db, authorizations, tokens, time, [grantId.ToString()], "refresh-reuse", cancellationToken);
                context.Reject(Errors.InvalidGrant, "The refresh token was already used; the whole family is revoked.");
                return;
            }

            var grantEnds = await db.Set<OidcGrant>().AsNoTracking().Where(g => g.Id == grantId).Select(g => g.ExpiresAt).FirstAsync(cancellationToken);
            var left = grantEnds - time.GetUtcNow();
            carried.SetRefreshTokenLifetime(left < options.Value.RefreshTokenLifetime ? left : options.Value.RefreshTokenLifetime);
        }

        context.SignIn(carried);
    }
}

/// <summary>Revoking a refresh token ends its whole grant (RFC 7009 §2.1 allows it, and our stores expect it).</summary>
internal sealed class RefreshRevocationEndsGrant(PortalDbContext db, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, TimeProvider time)
    : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
        .UseScopedHandler<RefreshRevocationEndsGrant>()
        .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GenericTokenPrincipal is not { } principal || principal.GetTokenType() != TokenTypeIdentifiers.RefreshToken
            || principal.GetAuthorizationId() is not { } authorizationId)
        {
            return;
        }

        var cancellationToken = context.Transaction.Http().RequestAborted;
        await GrantRevocation.RevokeAsync(db, authorizations, tokens, time, [authorizationId], "revocation", cancellationToken);
    }
}

/// <summary>Ends grants in both places: our <c>OidcGrants</c> row and OpenIddict's authorization with its tokens.</summary>
internal static class GrantRevocation
{
    public static async Task RevokeAsync(
        PortalDbContext db,
        IOpenIddictAuthorizationManager authorizations,
        IOpenIddictTokenManager tokens,
        TimeProvider time,
        IReadOnlyCollection<string> authorizationIds,
        string reason,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ids = authorizationIds.Select(id => Guid.TryParse(id, out var parsed) ? parsed : Guid.Empty).Where(id => id != Guid.Empty).ToList();
        await db.Set<OidcGrant>()
            .Where(g => ids.Contains(g.Id) && g.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.RevokedAt, now).SetProperty(g => g.RevokedReason, reason), cancellationToken);
        foreach (var id in authorizationIds)
        {
            if (await authorizations.FindByIdAsync(id, cancellationToken) is { } authorization)
            {
                await authorizations.TryRevokeAsync(authorization, cancellationToken);
            }

            await tokens.RevokeByAuthorizationIdAsync(id, cancellationToken);
        }
    }
}

/// <summary>
/// Introspection names a refresh token's type in <c>token_type</c>, as the provider did before
/// OpenIddict (which only fills <c>token_usage</c> for it); access tokens stay <c>Bearer</c>.
/// </summary>
internal sealed class IntrospectedRefreshTokenType : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleIntrospectionRequestContext>()
        .UseSingletonHandler<IntrospectedRefreshTokenType>()
        .SetOrder(OpenIddictServerHandlers.Introspection.AttachApplicationClaims.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(HandleIntrospectionRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GenericTokenPrincipal?.GetTokenType() == TokenTypeIdentifiers.RefreshToken && string.IsNullOrEmpty(context.TokenType))
        {
            context.TokenType = TokenTypeHints.RefreshToken;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A client-credentials access token is written without a row in <c>OidcTokens</c>: the signed JWT
/// is all a store or the store API needs, and revoking one puts its <c>jti</c> on our revocation
/// list. OpenIddict's <c>DisableTokenStorage</c> would drop the rows of codes and refresh tokens too,
/// which single use and rotation need, so this is decided per token.
/// </summary>
internal sealed class ClientTokensWithoutRow : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
        .UseSingletonHandler<ClientTokensWithoutRow>()
        .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TokenType == TokenTypeIdentifiers.AccessToken && context.Request?.IsClientCredentialsGrantType() == true)
        {
            context.CreateTokenEntry = false;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>The token being revoked has a row in <c>OidcTokens</c> (every token but a client-credentials access token).</summary>
internal sealed class RequireTokenRow : IOpenIddictServerHandlerFilter<HandleRevocationRequestContext>
{
    public ValueTask<bool> IsActiveAsync(HandleRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(!string.IsNullOrEmpty(context.GenericTokenPrincipal?.GetTokenId()));
    }
}

/// <summary>
/// Revoking an access token without a row (a client-credentials token) puts its <c>jti</c> on the
/// revocation list until it would have expired; expired entries are dropped at the same time.
/// </summary>
internal sealed class RevokeClientToken(PortalDbContext db, TimeProvider time) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
        .UseScopedHandler<RevokeClientToken>()
        .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.GenericTokenPrincipal is not { } principal || !string.IsNullOrEmpty(principal.GetTokenId()))
        {
            return;
        }

        var jti = principal.GetClaim(Claims.JwtId);
        if (principal.GetTokenType() != TokenTypeIdentifiers.AccessToken || string.IsNullOrEmpty(jti) || jti.Length > 64)
        {
            context.Reject(Errors.UnsupportedTokenType, "This token cannot be revoked.");
            return;
        }

        var cancellationToken = context.Transaction.Http().RequestAborted;
        var now = time.GetUtcNow();
        await db.Set<OidcRevokedAccessToken>().Where(t => t.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        if (!await RevokedAccessTokens.IsListedAsync(db, jti, cancellationToken))
        {
            db.Add(new OidcRevokedAccessToken { Jti = jti, ExpiresAt = principal.GetExpirationDate() ?? now.AddHours(1) });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Revoked twice at once: the other request's row is the same revocation.
                if (!await RevokedAccessTokens.IsListedAsync(db, jti, cancellationToken))
                {
                    throw;
                }
            }
        }
    }
}

/// <summary>An access token without a row (a client-credentials token) is refused once its <c>jti</c> is on the revocation list.</summary>
internal sealed class RevokedClientTokenCheck(PortalDbContext db) : IOpenIddictServerHandler<ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
        .UseScopedHandler<RevokedClientTokenCheck>()
        .SetOrder(OpenIddictServerHandlers.Protection.ValidateAuthorizationEntry.Descriptor.Order + 2)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal is not { } principal || principal.GetTokenType() != TokenTypeIdentifiers.AccessToken
            || !string.IsNullOrEmpty(principal.GetTokenId()) || principal.GetClaim(Claims.JwtId) is not { Length: > 0 } jti)
        {
            return;
        }

        if (await RevokedAccessTokens.IsListedAsync(db, jti, context.Transaction.Http().RequestAborted))
        {
            context.Reject(Errors.InvalidToken, "The access token was revoked.");
        }
    }
}

/// <summary>
/// A person's access token (a JWT with a row in <c>OidcTokens</c>) is honoured while its row is
/// valid (not revoked), its OpenIddict authorization is valid, and its grant is live with a person
/// who can still sign in: what OpenIddict's <c>RestoreTokenEntryProperties</c>,
/// <c>ValidateTokenEntry</c> and <c>ValidateAuthorizationEntry</c> and our <see cref="GrantCheck"/>
/// decide together, in one compiled query instead of three tracked lookups and a fourth query.
/// The JWT already carries what <c>RestoreTokenEntryProperties</c> would restore (token and
/// authorization ids, dates), and an access token is never redeemed, so nothing else is lost.
/// </summary>
internal sealed class AccessTokenEntryCheck(PortalDbContext db, TimeProvider time) : IOpenIddictServerHandler<ValidateTokenContext>
{
    // The person comes with the answer: userinfo, the one endpoint that needs more than a yes, reads
    // it from here (LiveAccessToken) instead of asking the database a second time.
    private static readonly PerModelQuery<Func<PortalDbContext, Guid, Guid, DateTimeOffset, Task<UserInfoPerson?>>> LiveWithGrant = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, Guid tokenId, Guid grantId, DateTimeOffset now) =>
            db.Set<OidcGrant>()
                .Where(g => g.Id == grantId && g.RevokedAt == null && g.ExpiresAt > now
                    && db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>().Any(t => t.Id == tokenId && t.Status == Statuses.Valid
                        && t.Authorization != null && t.Authorization.Id == grantId && t.Authorization.Status == Statuses.Valid))
                .Join(db.Users, g => g.SubjectId, u => u.Id, (g, u) => u)
                .Where(u => u.LockoutEnd == null || u.LockoutEnd <= now)
                .Select(u => new UserInfoPerson(u.Id, u.DisplayName, u.Email, u.PreferredCulture))
                .FirstOrDefault()));

    private static readonly PerModelQuery<Func<PortalDbContext, Guid, Task<bool>>> LiveWithoutGrant = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, Guid tokenId) =>
            db.Set<OpenIddictEntityFrameworkCoreToken<Guid>>().Any(t => t.Id == tokenId && t.Status == Statuses.Valid && t.Authorization == null)));

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
        .UseScopedHandler<AccessTokenEntryCheck>()
        .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    /// <summary>Whether this check, not OpenIddict's entry handlers, decides on the token.</summary>
    public static bool Covers(ClaimsPrincipal? principal) =>
        principal is not null && principal.GetTokenType() == TokenTypeIdentifiers.AccessToken && !string.IsNullOrEmpty(principal.GetTokenId());

    public async ValueTask HandleAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Covers(context.Principal))
        {
            return;
        }

        var principal = context.Principal!;
        bool live;
        if (!Guid.TryParse(principal.GetTokenId(), out var tokenId))
        {
            live = false;
        }
        else if (string.IsNullOrEmpty(principal.GetAuthorizationId()))
        {
            live = await LiveWithoutGrant.For(db)(db, tokenId);
        }
        else
        {
            var person = Guid.TryParse(principal.GetAuthorizationId(), out var grantId)
                ? await LiveWithGrant.For(db)(db, tokenId, grantId, time.GetUtcNow())
                : null;
            live = person is not null && person.Id.ToString() == principal.GetClaim(Claims.Subject);
            if (live)
            {
                context.Transaction.Http().Features.Set(new LiveAccessToken(tokenId, person!));
            }
        }

        if (!live)
        {
            context.Reject(Errors.InvalidToken, "The access token was revoked, or the sign-in behind it has ended.");
        }
    }
}

/// <summary>The access token of this request, found live by <see cref="AccessTokenEntryCheck"/>, with its person as userinfo shows them.</summary>
internal sealed record LiveAccessToken(Guid TokenId, UserInfoPerson Person);

/// <summary>Leaves a person's access token to <see cref="AccessTokenEntryCheck"/>; every other token goes through OpenIddict's handler.</summary>
internal sealed class RequireNoAccessTokenRowCheck : IOpenIddictServerHandlerFilter<ValidateTokenContext>
{
    public ValueTask<bool> IsActiveAsync(ValidateTokenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(!AccessTokenEntryCheck.Covers(context.Principal));
    }
}

/// <summary>
/// The placeholder keys OpenIddict's options require, made once per process rather than once per
/// host (<c>AddEphemeral…Key</c> generates two RSA keys whenever the options are built: most of the
/// CPU of a test host's first request, with hundreds of hosts in a test run). Never used to sign or
/// encrypt anything, as before: codes and refresh tokens are sealed with Data Protection, access
/// tokens are not encrypted, and every token is signed with the database keys.
/// </summary>
internal static class PlaceholderKeys
{
    private static readonly Lazy<RsaSecurityKey> EncryptionKey = new(() => new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)));
    private static readonly Lazy<RsaSecurityKey> SigningKey = new(() => new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)));

    public static RsaSecurityKey Encryption => EncryptionKey.Value;

    public static RsaSecurityKey Signing => SigningKey.Value;
}
