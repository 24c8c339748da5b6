using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// The authorization endpoint (OIDC Core §3.1.2): code flow with PKCE S256 only. Until the client
/// and its redirect URI are known to be good, errors are shown on our own page and never sent to
/// the given redirect_uri (RFC 6749 §4.1.2.1); after that every answer carries <c>iss</c> (RFC 9207).
/// </summary>
internal static class AuthorizeEndpoint
{
    /// <summary>
    /// Added to the return URL when we send the person to sign in, so the fresh sign-in satisfies
    /// prompt=login and max_age. It is protected (Data Protection, time-limited) and names the client
    /// and state it was made for: a client or a crafted link cannot set it to skip prompt=login.
    /// </summary>
    internal const string LoginAfterParameter = "pp_login_after";

    internal const string LoginAfterPurpose = "PrivacyPortal.Oidc.LoginAfter.v1";

    /// <summary>Longer than a magic link lives, so a sign-in by mail still comes back fresh.</summary>
    internal static readonly TimeSpan LoginAfterLifetime = TimeSpan.FromMinutes(30);

    private static readonly string[] KnownPrompts = ["none", "login", "consent", "select_account"];

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        OidcClientRegistry clients,
        OidcIssuer issuer,
        OidcTokenValidator validator,
        PortalDbContext db,
        TimeProvider time,
        IOptions<OidcOptions> options,
        IDataProtectionProvider dataProtection,
        IOpenIddictApplicationManager applications,
        IOpenIddictAuthorizationManager authorizations,
        CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        var loginAfterProtector = dataProtection.CreateProtector(LoginAfterPurpose);
        var parameters = HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            ? ((await OidcProtocol.ReadFormAsync(context.Request, cancellationToken)) ?? FormCollection.Empty).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
            : context.Request.Query.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var repeated = false;
        string? Get(string name) => OidcProtocol.OneValue(parameters.GetValueOrDefault(name), ref repeated);

        var culture = PickCulture(Get("ui_locales"), context.Request.Headers.AcceptLanguage);
        var client = clients.Find(Get("client_id"));
        if (client is null)
        {
            return ErrorPage(culture, "invalid_client");
        }

        var redirectUri = Get("redirect_uri");
        if (!client.HasRedirectUri(redirectUri))
        {
            return ErrorPage(culture, "invalid_redirect_uri");
        }

        var state = Get("state");
        IResult Fail(string error, string description) => Results.Redirect(OidcProtocol.AppendQuery(redirectUri!,
        [
            new("error", error),
            new("error_description", description),
            new("state", state),
            new("iss", issuer.Issuer),
        ]));

        var responseType = Get("response_type");
        var scopes = OidcScopes.Parse(Get("scope"));
        var challenge = Get("code_challenge");
        var challengeMethod = Get("code_challenge_method");
        var prompts = (Get("prompt") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var maxAgeText = Get("max_age");
        var nonce = Get("nonce");
        var loginHint = Get("login_hint");
        var idTokenHint = Get("id_token_hint");
        var responseMode = Get("response_mode");
        var loginAfterText = Get(LoginAfterParameter);
        var request = Get("request");
        var requestUri = Get("request_uri");

        if (repeated)
        {
            return Fail("invalid_request", "A parameter was sent more than once.");
        }

        if (request is not null)
        {
            return Fail("request_not_supported", "Request objects are not supported.");
        }

        if (requestUri is not null)
        {
            return Fail("request_uri_not_supported", "request_uri is not supported.");
        }

        if (responseType != "code")
        {
            return Fail("unsupported_response_type", "Only the authorization code flow (response_type=code) is supported.");
        }

        if (responseMode is not null and not "query")
        {
            return Fail("invalid_request", "Only response_mode=query is supported.");
        }

        if (!scopes.Contains(OidcScopes.OpenId))
        {
            return Fail("invalid_scope", "The openid scope is required.");
        }

        var notAllowed = scopes.FirstOrDefault(s => !client.AllowedScopes.Contains(s, StringComparer.Ordinal));
        if (notAllowed is not null)
        {
            return Fail("invalid_scope", $"The scope '{notAllowed}' is not allowed for this client.");
        }

        if (challenge is null)
        {
            return Fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256.");
        }

        if (challengeMethod != "S256")
        {
            // A missing method means plain (RFC 7636 §4.3), which is refused like an explicit plain.
            return Fail("invalid_request", "Only code_challenge_method=S256 is supported.");
        }

        if (!OidcProtocol.LooksLikeS256Challenge(challenge))
        {
            return Fail("invalid_request", "code_challenge is not an S256 challenge (43 base64url characters).");
        }

        if (nonce is { Length: > 512 } || state is { Length: > 2048 } || loginHint is { Length: > 320 })
        {
            return Fail("invalid_request", "nonce, state or login_hint is too long.");
        }

        if (prompts.Any(p => !KnownPrompts.Contains(p)) || (prompts.Contains("none") && prompts.Length > 1))
        {
            return Fail("invalid_request", "prompt must be none, or any of login, consent and select_account.");
        }

        int? maxAge = null;
        if (maxAgeText is not null)
        {
            if (!int.TryParse(maxAgeText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedMaxAge))
            {
                return Fail("invalid_request", "max_age must be a non-negative number of seconds.");
            }

            maxAge = parsedMaxAge;
        }

        string? hintSubject = null;
        if (idTokenHint is not null)
        {
            // A hint only speaks for the store it was issued to.
            var hint = await validator.ValidateIdTokenHintAsync(idTokenHint, client.ClientId, cancellationToken);
            if (hint is null)
            {
                return Fail("invalid_request", "id_token_hint is not an ID token this provider issued to this client.");
            }

            hintSubject = hint.Subject;
        }

        var now = time.GetUtcNow();
        var authentication = await context.AuthenticateAsync(PortalClaims.Scheme);
        var user = authentication.Succeeded ? authentication.Principal : null;
        var authTime = AuthTimeOf(user);
        var freshLogin = user is not null && authTime is not null
            && ReadLoginAfter(loginAfterProtector, loginAfterText, client.ClientId, state, now) is { } loginAfter
            && authTime.Value.ToUnixTimeSeconds() >= loginAfter;
        var needsLogin = user?.SubjectId() is null || authTime is null
            || (!freshLogin && (prompts.Contains("login") || prompts.Contains("select_account")))
            || (!freshLogin && maxAge is not null && (now - authTime.Value).TotalSeconds > maxAge.Value)
            || (!freshLogin && hintSubject is not null && hintSubject != user!.SubjectId().ToString());
        if (needsLogin)
        {
            if (prompts.Contains("none"))
            {
                return Fail("login_required", "The person is not signed in at the portal.");
            }

            return Results.Redirect(LoginRedirect(context, culture, parameters, loginHint, MakeLoginAfter(loginAfterProtector, now, client.ClientId, state)));
        }

        var refusal = OidcSignInPolicy.RefusalFor(user!);
        if (refusal is not null)
        {
            return Fail("access_denied", refusal);
        }

        // OpenIddict checked the request before it came here; anything it refused that the checks
        // above let through is still refused, the same way.
        if (context.GetOpenIddictServerResponse() is { Error: { } libraryError } libraryResponse)
        {
            return Fail(libraryError, libraryResponse.ErrorDescription ?? "The authorization request is not valid.");
        }

        var subjectId = user!.RequiredSubjectId();
        var sessionId = user!.SessionIdOf();
        var method = user!.FindFirstValue(PortalClaims.AuthenticationMethod) ?? "";
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subjectId.ToString());
        identity.SetClaim(Claims.AuthenticationTime, authTime!.Value.ToUnixTimeSeconds());
        identity.SetClaims(Claims.AuthenticationMethodReference, [.. AuthenticationMethods.ToAmr(method)]);
        if (sessionId is { } sid)
        {
            identity.SetClaim("sid", sid.ToString());
        }

        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(scopes);
        principal.SetAudiences(issuer.AccessTokenAudience, client.ClientId);
        principal.SetDestinations(static claim => claim.Type == Claims.Subject
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.IdentityToken]);

        // The grant is OpenIddict's authorization; OidcGrants carries its session, for sign-out,
        // back-channel logout and erasure, under the same id.
        var application = await applications.FindByClientIdAsync(client.ClientId, cancellationToken)
            ?? throw new InvalidOperationException($"Client {client.ClientId} is not in OpenIddict's applications.");
        var authorization = await authorizations.CreateAsync(
            principal, subjectId.ToString(), (await applications.GetIdAsync(application, cancellationToken))!, AuthorizationTypes.AdHoc, [.. scopes], cancellationToken);
        var authorizationId = (await authorizations.GetIdAsync(authorization, cancellationToken))!;
        principal.SetAuthorizationId(authorizationId);
        db.Add(new OidcGrant
        {
            Id = Guid.Parse(authorizationId),
            ClientId = client.ClientId,
            SubjectId = subjectId,
            SessionId = sessionId,
            Scopes = string.Join(' ', scopes),
            AuthTime = authTime!.Value,
            AuthenticationMethod = method,
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenAbsoluteLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);

        return Results.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>ui_locales is a preference list (OIDC Core §3.1.2.1); the first we speak wins, then Accept-Language.</summary>
    internal static string PickCulture(string? uiLocales, string? acceptLanguage)
    {
        foreach (var tag in (uiLocales ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var language = tag.Split('-')[0].ToLowerInvariant();
            if (language is "no" or "nn" or "nb")
            {
                return "nb";
            }

            if (PortalCultures.IsSupported(language))
            {
                return language;
            }
        }

        return PortalCultures.FromAcceptLanguage(acceptLanguage);
    }

    private static DateTimeOffset? AuthTimeOf(ClaimsPrincipal? user) =>
        long.TryParse(user?.FindFirstValue(PortalClaims.AuthTime), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static string MakeLoginAfter(IDataProtector protector, DateTimeOffset now, string clientId, string? state) =>
        protector.Protect(string.Join('\n', now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), clientId, state ?? ""));

    /// <summary>The time a sign-in must follow, if the marker is ours, unexpired, and made for this client and state.</summary>
    private static long? ReadLoginAfter(IDataProtector protector, string? marker, string clientId, string? state, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(marker) || marker.Length > 1000)
        {
            return null;
        }

        string payload;
        try
        {
            payload = protector.Unprotect(marker);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }

        var parts = payload.Split('\n');
        return parts.Length == 3 && parts[1] == clientId && parts[2] == (state ?? "")
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var after)
            && now.ToUnixTimeSeconds() - after <= (long)LoginAfterLifetime.TotalSeconds
                ? after
                : null;
    }

    private static IResult ErrorPage(string culture, string error) => Results.Redirect($"/{culture}/oidc/error?error={error}");

    /// <summary>
    /// Back to this endpoint after signing in, as a GET (a POSTed request becomes a query), without
    /// prompt and with the time of this redirect, so a sign-in after it counts as fresh.
    /// </summary>
    private static string LoginRedirect(HttpContext context, string culture, Dictionary<string, StringValues> parameters, string? loginHint, string loginAfter)
    {
        var query = parameters
            .Where(p => p.Key is not "prompt" and not LoginAfterParameter)
            .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString()))
            .Append(new(LoginAfterParameter, loginAfter));
        var returnUrl = OidcProtocol.AppendQuery(context.Request.PathBase + OidcEndpoints.Authorize, query);
        return OidcProtocol.AppendQuery($"/{culture}/login", [new("returnUrl", returnUrl), new("login_hint", loginHint)]);
    }
}

/// <summary>
/// The one place that decides whether a signed-in principal may sign in to a store at all. Staff
/// impersonating a customer (a later feature) carry an <c>act</c> claim (RFC 8693 §4.1) or an
/// <c>impersonation</c> claim; they must never obtain tokens in the customer's name.
/// </summary>
public static class OidcSignInPolicy
{
    public const string ActorClaim = "act";
    public const string ImpersonationClaim = "impersonation";

    /// <summary>Null when sign-in may go on; otherwise the reason given with access_denied.</summary>
    public static string? RefusalFor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsImpersonating() || user.HasClaim(c => c.Type is ActorClaim or ImpersonationClaim)
            ? "Signing in to a store is not possible while a member of staff is impersonating this person."
            : null;
    }
}
