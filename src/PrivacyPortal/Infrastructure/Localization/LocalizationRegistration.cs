using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Localization.Routing;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace PrivacyPortal.Infrastructure.Localization;

public static class LocalizationRegistration
{
    public static WebApplicationBuilder AddPortalLocalization(this WebApplicationBuilder builder)
    {
        // Resources live in the top-level localization/ folder and are embedded as PrivacyPortal.Localization.*.
        builder.Services.AddLocalization();
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
            // The URL decides; no culture cookie is written or read without preference consent.
            o.RequestCultureProviders =
            [
                new RouteDataRequestCultureProvider { RouteDataStringKey = "culture", UIRouteDataStringKey = "culture" },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }

    public static void AddCultureConventions(this PageConventionCollection conventions)
    {
        conventions.Add(new PageRouteTransformerConvention(new KebabCaseTransformer()));
        conventions.Add(new CultureRouteConvention());
    }
}
