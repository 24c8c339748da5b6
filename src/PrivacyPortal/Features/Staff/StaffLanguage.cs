using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Staff;

/// <summary>
/// The staff pages speak the language the staff member chose for them (the language buttons in the
/// staff navigation), whatever the browser says; until they choose, the browser's language as before.
/// Customer pages keep the language of their URL, so a staff member viewing as a customer still
/// sees the customer's pages in the customer's language.
/// </summary>
public static class StaffLanguage
{
    public static WebApplicationBuilder AddStaffLanguage(this WebApplicationBuilder builder)
    {
        builder.Services.PostConfigure<RequestLocalizationOptions>(o =>
        {
            // Right after the URL's culture (which staff paths never have), before cookie and browser.
            var route = o.RequestCultureProviders.ToList().FindIndex(p => p is Microsoft.AspNetCore.Localization.Routing.RouteDataRequestCultureProvider);
            o.RequestCultureProviders.Insert(route + 1, new CustomRequestCultureProvider(ChosenAsync));
        });
        return builder;
    }

    /// <summary>Sets the staff member's choice; false for a language the portal does not speak.</summary>
    public static async Task<bool> ChooseAsync(PortalDbContext db, Guid staffId, string? language, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!PortalCultures.IsSupported(language))
        {
            return false;
        }

        var name = PortalCultures.Names.First(n => string.Equals(n, language, StringComparison.OrdinalIgnoreCase));
        return await db.Users
            .Where(u => u.Id == staffId && u.Kind == AccountKind.Staff)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.StaffLanguage, name), cancellationToken) == 1;
    }

    private static async Task<ProviderCultureResult?> ChosenAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(StaffRegistration.AreaPath, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // Localization runs before the authentication middleware; the cookie handler keeps this
        // result for the rest of the request, so the cookie is still read once.
        var signedIn = await context.AuthenticateAsync(PortalClaims.Scheme);
        if (signedIn.Principal?.SubjectId() is not { } id)
        {
            return null;
        }

        var db = context.RequestServices.GetRequiredService<PortalDbContext>();
        var language = await db.Users.AsNoTracking()
            .Where(u => u.Id == id && u.Kind == AccountKind.Staff)
            .Select(u => u.StaffLanguage)
            .FirstOrDefaultAsync(context.RequestAborted);
        return PortalCultures.IsSupported(language) ? new ProviderCultureResult(language!) : null;
    }
}
