using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SampleStore.StoreApi;

namespace SampleStore.SignIn;

/// <summary>
/// Keeps a session's privacy claims current: with the refresh token (<c>offline_access</c>) it gets
/// a new access token and reads userinfo again, so a choice the person made on the portal reaches
/// the store without a new sign-in. The portal rotates refresh tokens and treats a second use of one
/// as theft, so refreshes of one session run one at a time and the newest token is kept.
/// </summary>
public sealed class PrivacyClaimsRefresher(
    StoreSessions sessions,
    IOptionsMonitor<OpenIdConnectOptions> oidc,
    IHttpClientFactory httpClients,
    StoreActivity activity,
    TimeProvider time,
    ILogger<PrivacyClaimsRefresher> logger)
{
    /// <summary>When the claims were last read from the portal (round-trip time format).</summary>
    public const string RefreshedAtItem = "store.privacy-refreshed-at";

    private static readonly string[] UserInfoClaims = ["name", "email", "email_verified", "locale", PortalClaims.Privacy];
    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, SemaphoreSlim> locks = new(StringComparer.Ordinal);

    public static DateTimeOffset? RefreshedAt(AuthenticationProperties properties) =>
        properties?.Items.TryGetValue(RefreshedAtItem, out var text) == true
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;

    /// <summary>
    /// The session's ticket with fresh claims, or null when the portal no longer honours the
    /// session's refresh token (revoked, the account erased): the session is then ended here too.
    /// Unless <paramref name="force"/>, a ticket refreshed within <paramref name="maxAge"/> is returned as it is.
    /// </summary>
    public async Task<AuthenticationTicket?> RefreshAsync(string sessionKey, TimeSpan maxAge, bool force, CancellationToken cancellationToken)
    {
        var gate = locks.GetOrAdd(sessionKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Read again under the lock: a parallel request may have refreshed it already.
            var ticket = sessions.Find(sessionKey);
            if (ticket is null)
            {
                locks.TryRemove(sessionKey, out _);
                return null;
            }

            var refreshedAt = RefreshedAt(ticket.Properties);
            if (!force && refreshedAt is not null && time.GetUtcNow() - refreshedAt.Value < maxAge)
            {
                return ticket;
            }

            var refreshToken = ticket.Properties.GetTokenValue("refresh_token");
            if (refreshToken is null)
            {
                return ticket;
            }

            var fresh = await ReadFromPortalAsync(ticket, refreshToken, cancellationToken);
            if (fresh is null)
            {
                await sessions.RemoveAsync(sessionKey);
                activity.Add($"The portal refused the refresh token of {ticket.Principal.FindFirst(PortalClaims.Subject)?.Value}; the session here ended.");
                return null;
            }

            await sessions.RenewAsync(sessionKey, fresh);
            return fresh;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<AuthenticationTicket?> ReadFromPortalAsync(AuthenticationTicket ticket, string refreshToken, CancellationToken cancellationToken)
    {
        var settings = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await settings.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
        var http = httpClients.CreateClient(nameof(PrivacyClaimsRefresher));

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", refreshToken)]),
        };
        tokenRequest.Headers.Authorization = StoreApiClient.ClientAuthentication(settings.ClientId!, settings.ClientSecret!);
        using var tokenResponse = await http.SendAsync(tokenRequest, cancellationToken);
        if (tokenResponse.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            logger.LogInformation("The portal refused a refresh token: {Answer}", await tokenResponse.Content.ReadAsStringAsync(cancellationToken));
            return null;
        }

        tokenResponse.EnsureSuccessStatusCode();
        var tokens = await tokenResponse.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var subject = ticket.Principal.FindFirst(PortalClaims.Subject)?.Value;

        // A new ID token comes with the refresh; check it like the handler checked the first one
        // (OIDC Core §12.2: same iss and sub, our audience, the portal's signature).
        var idToken = tokens.TryGetProperty("id_token", out var id) ? id.GetString() : null;
        if (idToken is not null)
        {
            var validated = await Tokens.ValidateTokenAsync(idToken, new TokenValidationParameters
            {
                ValidIssuer = configuration.Issuer,
                ValidAudience = settings.ClientId,
                IssuerSigningKeys = configuration.SigningKeys,
                ValidAlgorithms = configuration.IdTokenSigningAlgValuesSupported,
            });
            if (!validated.IsValid || validated.ClaimsIdentity.FindFirst(PortalClaims.Subject)?.Value != subject)
            {
                logger.LogWarning("The refreshed ID token was not valid for this session: {Error}", validated.Exception?.Message);
                return null;
            }
        }

        using var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, configuration.UserInfoEndpoint);
        userInfoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var userInfoResponse = await http.SendAsync(userInfoRequest, cancellationToken);
        if (userInfoResponse.StatusCode == HttpStatusCode.Unauthorized)
        {
            return null;
        }

        userInfoResponse.EnsureSuccessStatusCode();
        var userInfo = await userInfoResponse.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (userInfo.TryGetProperty("sub", out var sub) && sub.GetString() != subject)
        {
            return null;
        }

        var identity = new ClaimsIdentity(
            ticket.Principal.Claims.Where(c => !UserInfoClaims.Contains(c.Type, StringComparer.Ordinal)),
            ticket.Principal.Identity?.AuthenticationType,
            PortalClaims.Name,
            "role");
        foreach (var name in UserInfoClaims)
        {
            if (userInfo.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined)
            {
                identity.AddClaim(new Claim(name, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(),
                    value.ValueKind == JsonValueKind.Object ? "JSON" : ClaimValueTypes.String, configuration.Issuer));
            }
        }

        var properties = ticket.Properties.Clone();
        var now = time.GetUtcNow();
        var stored = properties.GetTokens().ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
        stored["access_token"] = accessToken;
        stored["expires_at"] = now.AddSeconds(tokens.GetProperty("expires_in").GetInt32()).ToString("o", CultureInfo.InvariantCulture);
        if (tokens.TryGetProperty("refresh_token", out var rotated) && rotated.GetString() is { } newRefreshToken)
        {
            stored["refresh_token"] = newRefreshToken;
        }

        if (idToken is not null)
        {
            stored["id_token"] = idToken;
        }

        properties.StoreTokens(stored.Select(t => new AuthenticationToken { Name = t.Key, Value = t.Value }));
        properties.Items[RefreshedAtItem] = now.ToString("o", CultureInfo.InvariantCulture);
        activity.Add($"Read the privacy claims of {subject} again from the portal.");
        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, ticket.AuthenticationScheme);
    }
}
