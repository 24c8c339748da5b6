using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Cookies;

/// <summary>
/// Keeps the language cookie in step with the URL on every page a browser opens: with preference
/// consent a language switch (a plain link to /nb/…) is remembered, and a signed-in person's
/// account takes the language too; without that consent a language cookie left from before is
/// removed. Never the account of a customer viewed by staff. Only on GET, so a POST that changes the consent itself has the last word.
/// </summary>
internal sealed class LanguageCookieFilter(CookieConsentState state, CookieConsentCookies cookies, PortalDbContext db, Infrastructure.Time.PersonTime time) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method)
            && context.RouteData.Values.TryGetValue("culture", out var value)
            && value is string culture
            && PortalCultures.IsSupported(culture))
        {
            var current = http.Request.Cookies[cookies.LanguageCookieName];
            if (!state.AllowsLanguageCookie)
            {
                cookies.DeleteLanguage(http);
                // The browser's time zone is a preference too (site.js writes it only with consent).
                if (http.Request.Cookies.ContainsKey(time.CookieName))
                {
                    http.Response.Cookies.Delete(time.CookieName, new CookieOptions { Path = "/" });
                }
            }
            else if (!string.Equals(current, culture, StringComparison.Ordinal))
            {
                cookies.WriteLanguage(http, culture);
                // Viewing as a customer, the switch is the staff member's own (their browser's cookie)
                // and read-only besides: the customer's account keeps the language they chose.
                if (http.User.SubjectId() is { } subjectId && !http.User.IsImpersonating())
                {
                    await db.Users.Where(u => u.Id == subjectId && u.PreferredCulture != culture)
                        .ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredCulture, culture), http.RequestAborted);
                }
            }
        }

        await next();
    }
}
