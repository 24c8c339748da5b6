using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Cookies;

/// <summary>
/// The two cookies of this feature: the consent cookie (strictly necessary: it holds the choice
/// itself) and the language cookie (a preference cookie, only with that consent). Names and
/// attributes follow <see cref="CookieNames"/>.
/// </summary>
public sealed class CookieConsentCookies(IWebHostEnvironment environment, PolicyCatalog policy, TimeProvider time)
{
    public string ConsentCookieName { get; } = CookieNames.For(environment, "pp.consent");

    public string LanguageCookieName { get; } = CookieNames.For(environment, "pp.lang");

    public void WriteConsent(HttpContext context, string protectedValue, DateTimeOffset givenAt)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Never longer than the banner's re-consent period, nor than strictly necessary cookies may live.
        var until = givenAt.AddMonths(policy.Cookies.ReconsentAfterMonths);
        var necessaryDays = policy.CookieCategories.Where(c => !c.ConsentRequired).Select(c => c.MaxLifetimeDays).DefaultIfEmpty(365).Min();
        var maxAge = Min(until - time.GetUtcNow(), TimeSpan.FromDays(necessaryDays));
        context.Response.Cookies.Append(ConsentCookieName, protectedValue, Options(context, maxAge));
    }

    public void WriteLanguage(HttpContext context, string culture)
    {
        ArgumentNullException.ThrowIfNull(context);
        var days = policy.FindCookieCategory(policy.Cookies.LanguagePreferenceCategory)?.MaxLifetimeDays ?? 365;
        context.Response.Cookies.Append(LanguageCookieName, culture, Options(context, TimeSpan.FromDays(days)));
    }

    public void DeleteLanguage(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Cookies.ContainsKey(LanguageCookieName))
        {
            context.Response.Cookies.Delete(LanguageCookieName, Options(context, null));
        }
    }

    private CookieOptions Options(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Secure = CookieNames.SecurePolicy(environment) == CookieSecurePolicy.Always || context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        // A choice that is about to run out still gets a minute, so the page that showed it works.
        MaxAge = maxAge is { } age ? (age > TimeSpan.FromMinutes(1) ? age : TimeSpan.FromMinutes(1)) : null,
        IsEssential = true,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
