using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace SampleStore.SignIn;

/// <summary>
/// Sign-in through the portal with the standard OpenID Connect handler: discovery from the
/// authority, code flow with PKCE, the <c>privacy</c> and <c>offline_access</c> scopes, claims from
/// userinfo; sessions on the server (<see cref="StoreSessions"/>) so the portal can end them.
/// </summary>
public static class StoreSignIn
{
    public static readonly string[] Scopes = ["openid", "profile", "email", "offline_access", "privacy"];

    public static WebApplicationBuilder AddStoreSignIn(this WebApplicationBuilder builder, StoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        var services = builder.Services;
        services.AddSingleton<StoreSessions>();
        services.AddSingleton<BackChannelLogout>();
        services.AddSingleton<PrivacyClaimsRefresher>();
        services.AddSingleton<RefreshTokenRevocation>();
        services.AddHttpClient(nameof(PrivacyClaimsRefresher));
        services.AddHttpClient(nameof(RefreshTokenRevocation));

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(o =>
            {
                // Both stores run on localhost in development, and browsers share cookies across ports.
                o.Cookie.Name = store.CookiePrefix + "session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = RenewPrivacyClaimsAsync;
            })
            .AddOpenIdConnect(o =>
            {
                o.Authority = store.Portal!.AbsoluteUri.TrimEnd('/');
                // Discovery over http only for a portal on this machine (development, tests).
                o.RequireHttpsMetadata = !store.Portal.IsLoopback;
                o.ClientId = store.Id;
                o.ClientSecret = store.ClientSecret;
                o.ResponseType = OpenIdConnectResponseType.Code;
                // The portal answers in the query only (no form_post), which also lets the
                // correlation cookies be SameSite=Lax.
                o.ResponseMode = OpenIdConnectResponseMode.Query;
                o.UsePkce = true;
                o.Scope.Clear();
                foreach (var scope in Scopes)
                {
                    o.Scope.Add(scope);
                }

                // sub, sid, amr as the portal names them, not as WS-Federation URIs.
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = PortalClaims.Name;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.ClaimActions.MapUniqueJsonKey("locale", "locale");
                o.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
                // The privacy claim is a JSON object, which the default actions skip.
                o.ClaimActions.MapCustomJson(PortalClaims.Privacy, user =>
                    user.TryGetProperty(PortalClaims.Privacy, out var privacy) && privacy.ValueKind == JsonValueKind.Object ? privacy.GetRawText() : null);
                // Keeps the refresh token (for renewing the claims) and the ID token (the hint at sign-out).
                o.SaveTokens = true;
                o.CorrelationCookie.Name = store.CookiePrefix + "correlation.";
                o.CorrelationCookie.SameSite = SameSiteMode.Lax;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.Name = store.CookiePrefix + "nonce.";
                o.NonceCookie.SameSite = SameSiteMode.Lax;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Events.OnRedirectToIdentityProvider = context =>
                {
                    context.ProtocolMessage.UiLocales = store.Culture;
                    return Task.CompletedTask;
                };
                o.Events.OnTicketReceived = context =>
                {
                    var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
                    context.Properties!.Items[PrivacyClaimsRefresher.RefreshedAtItem] = time.GetUtcNow().ToString("o", CultureInfo.InvariantCulture);
                    context.HttpContext.RequestServices.GetRequiredService<StoreActivity>()
                        .Add($"{context.Principal!.FindFirst(PortalClaims.Subject)?.Value} signed in (portal session {context.Principal.FindFirst(PortalClaims.SessionId)?.Value}).");
                    return Task.CompletedTask;
                };
                o.Events.OnRemoteFailure = context =>
                {
                    // e.g. access_denied from the portal: say so on the store's page instead of an error page.
                    context.Response.Redirect("/?signin=failed");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<StoreSessions>((o, sessions) => o.SessionStore = sessions);
        services.AddAuthorization();
        return builder;
    }

    /// <summary>Sign-in and sign-out are the account page's (<c>/account</c>, its handler <c>SignOut</c>); this is the portal's way in.</summary>
    public static void MapStoreSignIn(this IEndpointRouteBuilder app) => BackChannelLogout.Map(app);

    /// <summary>On a request of a session whose claims are older than <see cref="StoreOptions.PrivacyClaimsMaxAge"/>, reads them again.</summary>
    private static async Task RenewPrivacyClaimsAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var maxAge = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoreOptions>>().Value.PrivacyClaimsMaxAge;
        var refreshedAt = PrivacyClaimsRefresher.RefreshedAt(context.Properties);
        if (!context.Properties.Items.TryGetValue(StoreSessions.KeyItem, out var key) || key is null
            || (refreshedAt is not null && services.GetRequiredService<TimeProvider>().GetUtcNow() - refreshedAt.Value < maxAge))
        {
            return;
        }

        try
        {
            var fresh = await services.GetRequiredService<PrivacyClaimsRefresher>().RefreshAsync(key, maxAge, force: false, context.HttpContext.RequestAborted);
            if (fresh is null)
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return;
            }

            context.ReplacePrincipal(fresh.Principal);
            // Pages of this request read the time from the properties too.
            if (fresh.Properties.Items.TryGetValue(PrivacyClaimsRefresher.RefreshedAtItem, out var at))
            {
                context.Properties.Items[PrivacyClaimsRefresher.RefreshedAtItem] = at;
            }
        }
        catch (Exception e) when (StoreApi.StoreSync.IsPortalUnreachable(e))
        {
            // The portal is unreachable: keep the claims we have and try again on the next request.
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StoreSignIn)).LogWarning(e, "Could not renew the privacy claims");
        }
    }
}
