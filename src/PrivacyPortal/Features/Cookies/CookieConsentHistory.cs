using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Cookies;

public sealed record CookieConsentEntry(long Id, Guid ConsentId, IReadOnlyList<string> Categories, CookieConsentAction Action, bool GlobalPrivacyControl, string PolicyRevision, DateTimeOffset GivenAt, DateTimeOffset RecordedAt);

/// <summary>The cookie choices a person can see: this browser's, and their account's when signed in.</summary>
public sealed class CookieConsentHistory(PortalDbContext db)
{
    public async Task<IReadOnlyList<CookieConsentEntry>> LoadAsync(Guid? consentId, Guid? subjectId, int max, CancellationToken cancellationToken)
    {
        if (consentId is null && subjectId is null)
        {
            return [];
        }

        var rows = await db.Set<CookieConsentRecord>().AsNoTracking()
            .Where(r => (consentId != null && r.ConsentId == consentId) || (subjectId != null && r.SubjectId == subjectId))
            .OrderByDescending(r => r.Id)
            .Take(max)
            .Select(r => new { r.Id, r.ConsentId, r.Categories, r.Action, r.GlobalPrivacyControl, r.PolicyRevision, r.GivenAt, r.RecordedAt })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new CookieConsentEntry(
            r.Id, r.ConsentId, r.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.Action, r.GlobalPrivacyControl, r.PolicyRevision, r.GivenAt, r.RecordedAt))];
    }
}
