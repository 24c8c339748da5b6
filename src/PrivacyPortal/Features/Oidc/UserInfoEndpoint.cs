using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using PrivacyPortal.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PrivacyPortal.Features.Oidc;

/// <summary>UserInfo (OIDC Core §5.3), GET and POST, with a Bearer access token issued to a person.</summary>
internal static class UserInfoEndpoint
{
    // Compiled once: translating the LINQ on every call cost more than the query.
    private static readonly PerModelQuery<Func<PortalDbContext, Guid, Task<UserInfoPerson?>>> PersonQuery = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, Guid subjectId) => db.Users.AsNoTracking()
            .Where(u => u.Id == subjectId)
            .Select(u => new UserInfoPerson(u.Id, u.DisplayName, u.Email, u.PreferredCulture))
            .FirstOrDefault()));

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        OidcClientRegistry clients,
        PortalDbContext db,
        IPrivacyClaimsSource privacy,
        CancellationToken cancellationToken)
    {
        OidcProtocol.NoStore(context);
        // OpenIddict has validated the access token (signature, lifetime, token and grant not revoked) before this runs.
        var authentication = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var token = authentication.Principal;
        var subject = token?.GetClaim(Claims.Subject);
        var clientId = token?.GetPresenters().FirstOrDefault();
        if (token is null || !Guid.TryParse(subject, out var subjectId) || clientId is null || subject == clientId)
        {
            return BearerToken.Challenge(context, "invalid_token", "The access token is invalid, expired or revoked.");
        }

        if (!token.HasScope(OidcScopes.OpenId))
        {
            return BearerToken.Challenge(context, "insufficient_scope", "The openid scope is required.", StatusCodes.Status403Forbidden);
        }

        // The token's check read the person with it; a token it did not cover (none today) asks again.
        var person = context.Features.Get<LiveAccessToken>() is { Person: var checkedPerson } && checkedPerson.Id == subjectId
            ? checkedPerson
            : await PersonQuery.For(db)(db, subjectId);
        if (person is null)
        {
            return BearerToken.Challenge(context, "invalid_token", "The access token was revoked, or the person no longer exists.");
        }

        PrivacyClaims? privacyClaims = null;
        if (token.HasScope(OidcScopes.Privacy) && clients.Find(clientId) is { } client)
        {
            privacyClaims = await privacy.GetAsync(subjectId, client.ControllerId, cancellationToken);
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("sub", subject);
            if (token.HasScope(OidcScopes.Profile))
            {
                json.WriteString("name", person.DisplayName);
                json.WriteString("locale", person.PreferredCulture);
            }

            if (token.HasScope(OidcScopes.Email) && person.Email is not null)
            {
                json.WriteString("email", person.Email);
                // Every sign-in proves control of the mailbox: the link or code came to it.
                json.WriteBoolean("email_verified", true);
            }

            if (privacyClaims is not null)
            {
                PrivacyClaimsJson.Write(json, privacyClaims);
            }

            json.WriteEndObject();
        }

        return Results.Bytes(buffer.WrittenSpan.ToArray(), "application/json");
    }
}

/// <summary>RFC 6750 bearer tokens: reading them and refusing them.</summary>
internal static class BearerToken
{
    public static async Task<string?> ReadAsync(HttpRequest request, bool allowFormBody, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header[7..].Trim();
        }

        if (allowFormBody && HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            var form = await OidcProtocol.ReadFormAsync(request, cancellationToken);
            return form?["access_token"].ToString() is { Length: > 0 } value ? value : null;
        }

        return null;
    }

    public static IResult Challenge(HttpContext context, string error, string description, int status = StatusCodes.Status401Unauthorized)
    {
        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"{error}\", error_description=\"{description}\"";
        return Results.Json(new OAuthError(error, description), OidcJson.Default.OAuthError, statusCode: status);
    }
}

internal sealed record UserInfoPerson(Guid Id, string DisplayName, string? Email, string PreferredCulture);
