using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Cookies;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>
/// The person's current cookie choice: the latest CookieConsents row linked to their account
/// (written when they chose while signed in, or when a browser's choice became the account's).
/// </summary>
internal sealed class AccountCookieConsentSource(PortalDbContext db) : ICookieConsentSource
{
    public async Task<CookieConsentChoice?> GetAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        var latest = await db.Set<CookieConsentRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderByDescending(r => r.Id)
            .Select(r => new { r.PolicyRevision, r.Categories, r.GivenAt })
            .FirstOrDefaultAsync(cancellationToken);
        return latest is null
            ? null
            : new CookieConsentChoice(latest.PolicyRevision, latest.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries), latest.GivenAt);
    }
}
