using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Localization.Routing;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Localization;

namespace PrivacyPortal.Infrastructure.Localization;

public static class LocalizationRegistration
{
    public static WebApplicationBuilder AddPortalLocalization(this WebApplicationBuilder builder)
    {
        // Resources live in the top-level localization/ folder and are embedded as PrivacyPortal.Localization.*.
        builder.Services.AddLocalization();
        builder.Services.Replace(ServiceDescriptor.Singleton<IStringLocalizerFactory, CachingStringLocalizerFactory>());
        builder.Services.Configure<RouteOptions>(o =>
        {
            o.ConstraintMap[CultureRouteConstraint.Name] = typeof(CultureRouteConstraint);
            o.LowercaseUrls = true;
        });
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(PortalCultures.Default);
            o.SupportedCultures = [.. PortalCultures.All];
            o.SupportedUICultures = [.. PortalCultures.All];
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            // The URL decides. The Cookies feature adds the language cookie before Accept-Language,
            // read (and written) only with preference consent (Features/Cookies/CookiesRegistration.cs).
            o.RequestCultureProviders =
            [
                new RouteDataRequestCultureProvider { RouteDataStringKey = "culture", UIRouteDataStringKey = "culture" },
                new CustomRequestCultureProvider(FromFailedPath),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }

    /// <summary>An error page shown for <c>/nb/…</c> speaks Norwegian: the culture of the path that failed.</summary>
    private static Task<ProviderCultureResult?> FromFailedPath(HttpContext context)
    {
        var path = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>()?.OriginalPath
            ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerPathFeature>()?.Path;
        var segment = path?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return Task.FromResult(PortalCultures.IsSupported(segment) ? new ProviderCultureResult(segment!) : null);
    }

    public static void AddCultureConventions(this PageConventionCollection conventions)
    {
        conventions.Add(new PortalRouteConvention());
    }
}
