using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Oidc;

/// <summary>A checked RP-initiated logout: where to go afterwards is a registered URI or nowhere.</summary>
public sealed record EndSessionRequest(string? ClientId, string? PostLogoutRedirectUri, string? State, string Culture)
{
    /// <summary>The registered URI with <c>state</c>, or the portal's own signed-out page.</summary>
    public string Destination =>
        PostLogoutRedirectUri is null
            ? $"/{Culture}/oidc/logout?done=true"
            : OidcProtocol.AppendQuery(PostLogoutRedirectUri, [new("state", State)]);
}

/// <summary>
/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). A redirect back only goes to a
/// post_logout_redirect_uri registered for the client of a verified id_token_hint issued to it;
/// without such a hint the person is signed out all the same but ends on the portal's own
/// signed-out page, so a link elsewhere cannot use the portal as a redirector. Without a hint for
/// the current session the person confirms on our page first, so a link elsewhere cannot sign
/// anyone out.
/// </summary>
internal static class EndSessionEndpoint
{
    public const string ProtectorPurpose = "PrivacyPortal.Oidc.EndSession";

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        OidcClientRegistry clients,
        OidcTokenValidator validator,
        PortalSignIn signIn,
        IDataProtectionProvider dataProtection,
        CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        var parameters = HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            ? ((await OidcProtocol.ReadFormAsync(context.Request, cancellationToken)) ?? FormCollection.Empty).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
            : context.Request.Query.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var repeated = false;
        string? Get(string name) => OidcProtocol.OneValue(parameters.GetValueOrDefault(name), ref repeated);

        var culture = AuthorizeEndpoint.PickCulture(Get("ui_locales"), context.Request.Headers.AcceptLanguage);
        var hintText = Get("id_token_hint");
        var clientId = Get("client_id");
        var redirectUri = Get("post_logout_redirect_uri");
        var state = Get("state");
        if (repeated)
        {
            return ErrorPage(culture, "invalid_request");
        }

        if (clientId is not null && clients.Find(clientId) is null)
        {
            return ErrorPage(culture, "invalid_post_logout_redirect_uri");
        }

        // With client_id, the hint must have been issued to that client; a hint for another store is no hint.
        var hint = hintText is null ? null : await validator.ValidateIdTokenHintAsync(hintText, clientId, cancellationToken);
        if (hintText is not null && hint is null)
        {
            return ErrorPage(culture, "invalid_id_token_hint");
        }

        var client = clients.Find(clientId ?? hint?.Audiences.Single());
        if (redirectUri is not null && client?.HasPostLogoutRedirectUri(redirectUri) != true)
        {
            return ErrorPage(culture, "invalid_post_logout_redirect_uri");
        }

        // Back to the store only on the word of its own ID token; client_id alone ends on our page.
        var request = new EndSessionRequest(client?.ClientId, hint is null ? null : redirectUri, state, culture);
        var authentication = await context.AuthenticateAsync(PortalClaims.Scheme);
        var user = authentication.Succeeded ? authentication.Principal : null;
        if (user is null)
        {
            return Results.Redirect(request.Destination);
        }

        var hintMatchesSession = hint is not null
            && hint.Subject == user.SubjectId()?.ToString()
            && (!hint.TryGetPayloadValue<string>("sid", out var sid) || sid == user.SessionIdOf()?.ToString());
        if (!hintMatchesSession)
        {
            var protectedRequest = dataProtection.CreateProtector(ProtectorPurpose).Protect(JsonSerializer.Serialize(request));
            return Results.Redirect($"/{culture}/oidc/logout?request={Uri.EscapeDataString(protectedRequest)}");
        }

        context.User = user;
        await signIn.SignOutAsync(cancellationToken);
        return Results.Redirect(request.Destination);
    }

    /// <summary>Reads a request the endpoint protected for the confirmation page; null if forged or from another app.</summary>
    public static EndSessionRequest? Unprotect(IDataProtectionProvider dataProtection, string? protectedRequest)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        if (string.IsNullOrEmpty(protectedRequest) || protectedRequest.Length > 8000)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<EndSessionRequest>(dataProtection.CreateProtector(ProtectorPurpose).Unprotect(protectedRequest));
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            return null;
        }
    }

    private static IResult ErrorPage(string culture, string error) => Results.Redirect($"/{culture}/oidc/error?error={error}");
}
