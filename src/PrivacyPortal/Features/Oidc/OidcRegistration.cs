using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.Oidc.StoreApi;

namespace PrivacyPortal.Features.Oidc;

public static class OidcRegistration
{
    /// <summary>The OpenID Connect provider for the stores, and the store API.</summary>
    public static WebApplicationBuilder AddOidcProvider(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OidcOptions>()
            .Bind(builder.Configuration.GetSection(OidcOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.KeyActivationDelay < o.KeyRotationInterval, "Oidc:KeyActivationDelay must be shorter than Oidc:KeyRotationInterval.")
            .ValidateOnStart();
        builder.Services.AddSingleton<OidcClientRegistry>();
        builder.Services.AddSingleton<ClientAuthenticator>();
        builder.Services.AddSingleton<OidcIssuer>();
        builder.Services.AddSingleton<SigningKeyStore>();
        builder.Services.AddSingleton<OidcTokenFactory>();
        builder.Services.AddSingleton<OidcTokenValidator>();
        builder.Services.AddHostedService<SigningKeyRotation>();
        builder.Services.AddHostedService<OidcClientsStartupCheck>();
        builder.Services.AddOpenIddictServer();
        builder.Services.AddStoreTokenValidation();

        builder.Services.AddScoped<QueueBackChannelLogoutCommand>();
        builder.Services.AddScoped<RevokeSubjectGrantsCommand>();
        builder.Services.AddSingleton<BackChannelLogoutDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<BackChannelLogoutDispatcher>());
        builder.Services.AddHttpClient(BackChannelLogoutDispatcher.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            // A redirect would carry the logout token to an address nobody registered: a 3xx is a failed delivery.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        builder.Services.AddScoped<EndTimedOutSessionsCommand>();
        builder.Services.AddHostedService<TimedOutSessionsJob>();
        builder.Services.AddDailyJobs(builder.Configuration);
        builder.Services.AddDailyJob<OidcPruneJob>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, QueueLogoutOnPortalSignOut>());

        // The privacy claim and the store API read the preferences, cookie-consent and requests
        // features' tables (registered by AddMarketingPreferences, AddCookieConsent, AddRequests).
        builder.Services.AddScoped<MarketingPermissionsReader>();
        builder.Services.AddScoped<IPrivacyClaimsSource, PreferencesPrivacyClaimsSource>();
        builder.Services.AddScoped<ISuppressionSource, PreferenceSuppressionSource>();
        builder.Services.AddScoped<IRecipientTaskSource, RequestsRecipientTaskSource>();
        builder.Services.AddScoped<ICookieConsentSource, AccountCookieConsentSource>();

        builder.Services.AddScoped<PushRecordsCommand>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, StoreApiAuthenticationHandler>(StoreApiAuthenticationHandler.SchemeName, null);
        builder.Services.Configure<Microsoft.AspNetCore.Authorization.AuthorizationOptions>(StoreApiPolicies.Add);
        return builder;
    }

    public static WebApplication MapOidcProvider(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Machine endpoints answer in JSON themselves; the HTML status pages must not replace it.
        var oidc = app.MapGroup("").DisableAntiforgery().AddEndpointFilter(static async (context, next) =>
        {
            context.HttpContext.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            return await next(context);
        });

        // Discovery, JWKS, token, revocation and introspection are answered by OpenIddict in the
        // authentication middleware; authorize, end-session and userinfo come here after it has
        // checked the request (passthrough).
        oidc.MapMethods(OidcEndpoints.UserInfo, [HttpMethods.Get, HttpMethods.Post], UserInfoEndpoint.HandleAsync);

        // These two read the portal's sign-in cookie, so they go through the whole pipeline.
        oidc.MapMethods(OidcEndpoints.Authorize, [HttpMethods.Get, HttpMethods.Post], AuthorizeEndpoint.HandleAsync);
        oidc.MapMethods(OidcEndpoints.EndSession, [HttpMethods.Get, HttpMethods.Post], EndSessionEndpoint.HandleAsync);
        StoreApiEndpoints.Map(oidc);
        return app;
    }
}

/// <summary>Builds the client registry while the host starts, so a bad client configuration stops the app at once.</summary>
internal sealed class OidcClientsStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<OidcClientRegistry>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
