using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Features.Cookies;

public static class CookiesRegistration
{
    /// <summary>
    /// Cookie consent: the banner's state, proof rows, the consent and language cookies, the
    /// language cookie as a culture source (only with consent), and the choice following a
    /// signed-in person to a new browser.
    /// </summary>
    public static WebApplicationBuilder AddCookieConsent(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<CookieConsentCookies>();
        builder.Services.AddScoped<CookieConsentState>();
        builder.Services.AddScoped<RecordCookieConsentCommand>();
        builder.Services.AddScoped<WithdrawCookieCategoryCommand>();
        builder.Services.AddScoped<CookieConsentHistory>();
        builder.Services.AddScoped<IExportSection, CookieConsentExportSection>();
        builder.Services.AddScoped<LanguageCookieFilter>();
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.Filters.AddService<LanguageCookieFilter>());

        // The URL's culture comes first; the language cookie only stands in for it on paths without
        // one (the start redirect, error pages of unknown paths), and only with preference consent.
        builder.Services.PostConfigure<RequestLocalizationOptions>(o =>
        {
            var provider = new CustomRequestCultureProvider(context =>
                Task.FromResult(context.RequestServices.GetRequiredService<CookieConsentState>().ConsentedLanguage is { } culture
                    ? new ProviderCultureResult(culture)
                    : null));
            var acceptLanguage = o.RequestCultureProviders.ToList().FindIndex(p => p is AcceptLanguageHeaderRequestCultureProvider);
            o.RequestCultureProviders.Insert(acceptLanguage < 0 ? o.RequestCultureProviders.Count : acceptLanguage, provider);
        });

        builder.Services.PostConfigure<CookieAuthenticationOptions>(PortalClaims.Scheme, o =>
        {
            var previous = o.Events.OnSignedIn;
            o.Events.OnSignedIn = async context =>
            {
                await previous(context);
                await CookieConsentSignIn.OnSignedInAsync(context);
            };
        });
        return builder;
    }
}
