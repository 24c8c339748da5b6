using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Cookies;

/// <summary>
/// A signed-in person's cookie choice follows them: on sign-in, a browser with a valid choice
/// makes it the account's, and a browser without one (or with an older one) takes the account's (with the account's
/// language, when preference cookies are part of it).
/// </summary>
public static class CookieConsentSignIn
{
    /// <summary>The TempData key set when the account's choice was applied to this browser: the next page says so, once.</summary>
    public const string AppliedNotice = "Cookies.AppliedFromAccount";

    public static async Task OnSignedInAsync(CookieSignedInContext context)
    {
        var http = context.HttpContext;
        var subjectId = context.Principal?.SubjectId();
        if (subjectId is null)
        {
            return;
        }

        var services = http.RequestServices;
        var db = services.GetRequiredService<PortalDbContext>();
        var state = services.GetRequiredService<CookieConsentState>();
        var policy = services.GetRequiredService<PolicyCatalog>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();

        var account = await db.Set<CookieConsentRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderByDescending(r => r.GivenAt).ThenByDescending(r => r.Id)
            .Select(r => new { r.ConsentId, r.Categories, r.PolicyRevision, r.GivenAt, r.GlobalPrivacyControl })
            .FirstOrDefaultAsync(http.RequestAborted);

        var accountValid = account is not null && state.IsCurrent(account.PolicyRevision, account.GivenAt);
        if (state.HasValidChoice && (!accountValid || account!.GivenAt <= state.Stored!.GivenAt))
        {
            var device = state.Stored!;
            if (account is null || account.ConsentId != device.ConsentId || account.GivenAt != device.GivenAt)
            {
                db.Add(new CookieConsentRecord
                {
                    ConsentId = device.ConsentId,
                    SubjectId = subjectId,
                    Categories = string.Join(' ', policy.CookieCategories.Select(c => c.Id).Where(device.Categories.Contains)),
                    Action = CookieConsentAction.LinkedToAccount,
                    GlobalPrivacyControl = state.GlobalPrivacyControl,
                    PolicyRevision = device.PolicyRevision,
                    GivenAt = device.GivenAt,
                    RecordedAt = now,
                });
                await db.SaveChangesAsync(http.RequestAborted);
            }

            return;
        }

        if (!accountValid)
        {
            return;
        }

        var categories = account!.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var adopted = new StoredCookieConsent(state.Stored?.ConsentId ?? Guid.NewGuid(), account.PolicyRevision, account.GivenAt, categories);
        db.Add(new CookieConsentRecord
        {
            ConsentId = adopted.ConsentId,
            SubjectId = subjectId,
            Categories = account.Categories,
            Action = CookieConsentAction.AdoptedFromAccount,
            GlobalPrivacyControl = account.GlobalPrivacyControl,
            PolicyRevision = account.PolicyRevision,
            GivenAt = account.GivenAt,
            RecordedAt = now,
        });
        var language = await db.Users.AsNoTracking().Where(u => u.Id == subjectId).Select(u => u.PreferredCulture).FirstOrDefaultAsync(http.RequestAborted);
        await db.SaveChangesAsync(http.RequestAborted);
        services.GetRequiredService<RecordCookieConsentCommand>().Apply(http, adopted, language);
        services.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(http)[AppliedNotice] = true;
    }
}
