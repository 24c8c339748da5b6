using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using PrivacyPortal.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>
/// The store API's access tokens are checked by OpenIddict's validation stack, configured from the
/// provider in this process (<c>UseLocalServer</c>): signature, issuer, <c>at+jwt</c>, audience and
/// expiry are the library's. Plugged in: the database keys (which rotate, so an unknown <c>kid</c>
/// re-reads them once), ES256 only, 30 s of clock skew between instances, the revocation list of
/// client-credentials tokens, and the rule that only a store's own token (client credentials, no
/// person and no grant behind it) is a store API token.
/// </summary>
/// <remarks>
/// The library's ASP.NET Core handler is not registered: it would open a validation transaction on
/// every request of every page (it is an <c>IAuthenticationRequestHandler</c>). The store API's
/// authentication handler asks <see cref="OpenIddictValidationService"/> instead, for API calls only.
/// </remarks>
internal static class StoreTokenValidation
{
    public static void AddStoreTokenValidation(this IServiceCollection services)
    {
        services.AddOpenIddict().AddValidation(validation =>
        {
            validation.UseLocalServer();
            validation.AddEventHandler(DatabaseKeys.Descriptor);
            validation.AddEventHandler(StoreTokensOnly.Descriptor);
            validation.AddEventHandler(RevocationList.Descriptor);
        });
        services.AddOptions<OpenIddictValidationOptions>().Configure<OidcIssuer>((validation, issuer) =>
        {
            validation.Audiences.Add(issuer.AccessTokenAudience);
            validation.TokenValidationParameters.ValidAlgorithms = [SigningAlgorithms.Es256];
            // Instances' clocks may differ a little; the token endpoint's instance set the expiry.
            validation.TokenValidationParameters.ClockSkew = TimeSpan.FromSeconds(30);
        });
    }

    /// <summary>
    /// The published ES256 keys from the database. A token naming a key this instance has not loaded
    /// (another instance rotated) makes it re-read the keys first, at most once per few seconds.
    /// </summary>
    internal sealed class DatabaseKeys(SigningKeyStore keys) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<DatabaseKeys>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 1)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var set = await keys.GetAsync(context.CancellationToken);
            if (KeyId(context.Token) is { } kid && !set.AccessTokenValidationKeys.Any(k => k.KeyId == kid))
            {
                set = await keys.RefreshForUnknownKeyAsync(context.CancellationToken);
            }

            context.TokenValidationParameters.IssuerSigningKeys = set.AccessTokenValidationKeys;
        }

        private static string? KeyId(string? token)
        {
            try
            {
                return string.IsNullOrEmpty(token) ? null : new JsonWebToken(token).Kid;
            }
            catch (ArgumentException)
            {
                // Not a JWT: the library's own check refuses it next.
                return null;
            }
        }
    }

    /// <summary>A person's access token (it has a grant or a token row) or a token whose subject is not its client is no store's.</summary>
    internal sealed class StoreTokensOnly : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<StoreTokensOnly>()
            .SetOrder(OpenIddictValidationHandlers.Protection.MapInternalClaims.Descriptor.Order + 1)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var principal = context.Principal;
            var subject = principal?.GetClaim(Claims.Subject);
            if (principal is null || string.IsNullOrEmpty(subject) || !string.IsNullOrEmpty(principal.GetAuthorizationId())
                || !string.IsNullOrEmpty(principal.GetTokenId()) || principal.GetPresenters() is not [var client] || client != subject)
            {
                context.Reject(Errors.InvalidToken, "Only a store's own access token is accepted here.");
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A client-credentials token has no row: revoking it put its <c>jti</c> on the revocation list.</summary>
    internal sealed class RevocationList(PortalDbContext db) : IOpenIddictValidationHandler<ValidateTokenContext>
    {
        public static OpenIddictValidationHandlerDescriptor Descriptor { get; } = OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseScopedHandler<RevocationList>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateAuthorizationEntry.Descriptor.Order + 1_000)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            if (context.Principal?.GetClaim(Claims.JwtId) is not { Length: > 0 } jti)
            {
                context.Reject(Errors.InvalidToken, "The access token has no identifier.");
                return;
            }

            if (await RevokedAccessTokens.IsListedAsync(db, jti, context.CancellationToken))
            {
                context.Reject(Errors.InvalidToken, "The access token was revoked.");
            }
        }
    }
}
