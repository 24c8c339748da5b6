using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>
/// Bearer authentication of the store API with the provider's own client-credentials tokens, checked
/// by OpenIddict's validation (<see cref="StoreTokenValidation"/>). A person's token is not a store's.
/// </summary>
internal sealed class StoreApiAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OpenIddictValidationService validation,
    OidcClientRegistry clients) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "StoreApi";
    public const string ClientIdClaim = "client_id";
    public const string ControllerClaim = "controller";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = await BearerToken.ReadAsync(Request, allowFormBody: false, Context.RequestAborted);
        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        const string refused = "The access token is invalid, expired, revoked or not a store's token.";
        if (token.Length > 4096)
        {
            return AuthenticateResult.Fail(refused);
        }

        ClaimsPrincipal principal;
        try
        {
            principal = await validation.ValidateAccessTokenAsync(token, Context.RequestAborted);
        }
        catch (OpenIddictExceptions.ProtocolException)
        {
            return AuthenticateResult.Fail(refused);
        }

        if (clients.Find(principal.GetClaim(Claims.Subject)) is not { } client)
        {
            return AuthenticateResult.Fail("The access token names no registered store.");
        }

        var identity = new ClaimsIdentity(SchemeName);
        identity.AddClaim(new Claim(ClientIdClaim, client.ClientId));
        identity.AddClaim(new Claim(ControllerClaim, client.ControllerId));
        foreach (var scope in principal.GetScopes())
        {
            identity.AddClaim(new Claim(ScopeClaim, scope));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await Response.WriteAsJsonAsync(
            new ProblemDetails { Status = 401, Title = "A valid store access token is required.", Type = "https://tools.ietf.org/html/rfc6750#section-3.1" },
            options: null,
            contentType: "application/problem+json");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.Headers.WWWAuthenticate = "Bearer error=\"insufficient_scope\"";
        await Response.WriteAsJsonAsync(
            new ProblemDetails { Status = 403, Title = "The access token lacks the scope this call needs.", Type = "https://tools.ietf.org/html/rfc6750#section-3.1" },
            options: null,
            contentType: "application/problem+json");
    }
}

/// <summary>The calling store, from its token.</summary>
public sealed record StoreCaller(string StoreId, string ControllerId)
{
    public static StoreCaller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new StoreCaller(
            user.FindFirstValue(StoreApiAuthenticationHandler.ClientIdClaim) ?? throw new InvalidOperationException("No store in the token."),
            user.FindFirstValue(StoreApiAuthenticationHandler.ControllerClaim) ?? throw new InvalidOperationException("No controller in the token."));
    }
}

internal static class StoreApiPolicies
{
    public static void Add(AuthorizationOptions options)
    {
        foreach (var scope in StoreApiScopes.All)
        {
            options.AddPolicy(scope, policy => policy
                .AddAuthenticationSchemes(StoreApiAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(StoreApiAuthenticationHandler.ScopeClaim, scope));
        }
    }
}
