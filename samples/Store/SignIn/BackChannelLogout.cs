using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SampleStore.SignIn;

/// <summary>
/// OpenID Connect Back-Channel Logout 1.0: the portal POSTs a <c>logout_token</c> when a portal
/// session ends (sign-out, timeout, erasure). The token is checked with what the OpenID Connect
/// handler already knows from discovery (issuer, signing keys) and our client id as audience, then
/// every local session it names is ended.
/// </summary>
public sealed class BackChannelLogout(
    IOptionsMonitor<OpenIdConnectOptions> oidc,
    StoreSessions sessions,
    StoreActivity activity,
    RefreshTokenRevocation revocation,
    TimeProvider time,
    ILogger<BackChannelLogout> logger)
{
    public const string Path = "/backchannel-logout";
    public const string LogoutTokenType = "logout+jwt";
    public const string Event = "http://schemas.openid.net/event/backchannel-logout";

    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };

    // jti of tokens already taken, until they expire: a replayed token is refused (§2.6 step 7).
    private readonly ConcurrentDictionary<string, DateTimeOffset> seen = new(StringComparer.Ordinal);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost(Path, (HttpContext context, BackChannelLogout logout) => logout.HandleAsync(context))
            .DisableAntiforgery()
            .AllowAnonymous();

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // §2.8: the answer must not be cached.
        context.Response.Headers.CacheControl = "no-store";
        if (!context.Request.HasFormContentType)
        {
            return Refuse("Send logout_token as application/x-www-form-urlencoded.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["logout_token"] is not [{ Length: > 0 } token])
        {
            return Refuse("logout_token is missing.");
        }

        var outcome = await ValidateAsync(token, context.RequestAborted);
        if (outcome.Error is not null)
        {
            logger.LogWarning("Refused a logout token: {Error}", outcome.Error);
            return Refuse(outcome.Error);
        }

        // Tokens first, so that once a page shows the person signed out nothing of the session works.
        await revocation.RevokeAsync(sessions.Named(outcome.Sid, outcome.Sub), context.RequestAborted);
        var ended = sessions.End(outcome.Sid, outcome.Sub);
        activity.Add($"The portal ended {(outcome.Sid is null ? "every session of the person" : "portal session " + outcome.Sid)} (sub {outcome.Sub}): {ended.Count} session(s) signed out here.");
        return Results.Ok();
    }

    /// <summary>The checks of §2.6: signature, iss, aud, iat, the event, sid or sub, no nonce, not seen before.</summary>
    public async Task<LogoutTokenOutcome> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var result = await ValidateSignedAsync(options, token, cancellationToken);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // A key we have not seen: the portal may have rotated. Read JWKS again, once.
            options.ConfigurationManager!.RequestRefresh();
            result = await ValidateSignedAsync(options, token, cancellationToken);
        }

        if (!result.IsValid)
        {
            return LogoutTokenOutcome.Fail("The token is not valid: " + result.Exception?.GetType().Name);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        using var payload = JsonDocument.Parse(Encoding.UTF8.GetBytes(Base64UrlEncoder.Decode(jwt.EncodedPayload)));
        var claims = payload.RootElement;
        if (!claims.TryGetProperty("iat", out var iat) || iat.ValueKind != JsonValueKind.Number)
        {
            return LogoutTokenOutcome.Fail("iat is missing.");
        }

        if (!claims.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Object
            || !events.TryGetProperty(Event, out var logoutEvent) || logoutEvent.ValueKind != JsonValueKind.Object)
        {
            return LogoutTokenOutcome.Fail("events does not name the back-channel logout event.");
        }

        if (claims.TryGetProperty("nonce", out _))
        {
            return LogoutTokenOutcome.Fail("A logout token must not carry a nonce.");
        }

        var sid = StringClaim(claims, "sid");
        var sub = StringClaim(claims, "sub");
        if (sid is null && sub is null)
        {
            return LogoutTokenOutcome.Fail("Neither sid nor sub is given.");
        }

        var jti = StringClaim(claims, "jti");
        if (jti is not null)
        {
            var now = time.GetUtcNow();
            foreach (var (old, until) in seen)
            {
                if (until < now)
                {
                    seen.TryRemove(old, out _);
                }
            }

            if (!seen.TryAdd(jti, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero).AddMinutes(10)))
            {
                return LogoutTokenOutcome.Fail("This logout token was used before.");
            }
        }

        return new LogoutTokenOutcome(null, sid, sub);
    }

    private static async Task<TokenValidationResult> ValidateSignedAsync(OpenIdConnectOptions options, string token, CancellationToken cancellationToken)
    {
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        return await Tokens.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = options.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            // Only what the portal signs ID-token-like tokens with; never "none" or an HMAC.
            ValidAlgorithms = configuration.IdTokenSigningAlgValuesSupported.Count > 0 ? configuration.IdTokenSigningAlgValuesSupported : [SecurityAlgorithms.RsaSha256],
            // Explicit typing (§2.4) keeps an ID token from being taken for a logout token.
            ValidTypes = [LogoutTokenType],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromMinutes(2),
        });
    }

    private static string? StringClaim(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static IResult Refuse(string description) =>
        Results.BadRequest(new Dictionary<string, string> { ["error"] = "invalid_request", ["error_description"] = description });
}

public sealed record LogoutTokenOutcome(string? Error, string? Sid, string? Sub)
{
    public static LogoutTokenOutcome Fail(string error) => new(error, null, null);
}
