using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using SampleStore.StoreApi;

namespace SampleStore.SignIn;

/// <summary>
/// A session that ends here gives its refresh token back (RFC 7009). The portal keeps
/// <c>offline_access</c> grants past a portal sign-out, as that scope asks, so without this an
/// ended session would leave a working token behind.
/// </summary>
public sealed class RefreshTokenRevocation(
    IOptionsMonitor<OpenIdConnectOptions> oidc,
    IHttpClientFactory httpClients,
    ILogger<RefreshTokenRevocation> logger)
{
    public async Task RevokeAsync(IEnumerable<AuthenticationTicket> tickets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tickets);
        var settings = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        foreach (var token in tickets.Select(t => t.Properties.GetTokenValue("refresh_token")).OfType<string>())
        {
            try
            {
                var configuration = await settings.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
                if (string.IsNullOrEmpty(configuration.RevocationEndpoint))
                {
                    return;
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, configuration.RevocationEndpoint)
                {
                    Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "refresh_token")]),
                };
                request.Headers.Authorization = StoreApiClient.ClientAuthentication(settings.ClientId!, settings.ClientSecret!);
                using var response = await httpClients.CreateClient(nameof(RefreshTokenRevocation)).SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    logger.LogWarning("The portal did not revoke a refresh token: {Status}", (int)response.StatusCode);
                }
            }
            catch (Exception e) when (StoreSync.IsPortalUnreachable(e))
            {
                // The token still expires by itself; the session here has ended either way.
                logger.LogWarning(e, "Could not revoke a refresh token");
            }
        }
    }
}
