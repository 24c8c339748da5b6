using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Cookies;

/// <summary>
/// Takes one cookie category away from a person's cookie choices when they withdraw a consent that
/// stands for it (policy: the personalised-advertising consent is what marketing cookies are for):
/// a new proof row for their account's latest choice, and for the browser they are using, each only
/// if it held the category. The rows join the caller's unit of work; the browser's consent cookie is
/// rewritten by <see cref="ApplyToBrowser"/> once that work is saved. The remaining categories keep
/// the revision and the time they were given under, so a withdrawal never extends a consent.
/// </summary>
public sealed class WithdrawCookieCategoryCommand(
    PortalDbContext db,
    CookieConsentState state,
    RecordCookieConsentCommand record,
    IHttpContextAccessor accessor,
    TimeProvider time)
{
    /// <summary>Adds the rows; returns this browser's new choice to apply after saving, or null if the browser's choice stays.</summary>
    public async Task<StoredCookieConsent?> AddAsync(Guid subjectId, string categoryId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var account = await db.Set<CookieConsentRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderByDescending(r => r.GivenAt).ThenByDescending(r => r.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (account is not null && account.CategoryIds.Contains(categoryId, StringComparer.Ordinal))
        {
            db.Add(Without(account.ConsentId, subjectId, account.CategoryIds, categoryId, account.GlobalPrivacyControl, account.PolicyRevision, account.GivenAt, now));
        }

        // Only the person's own browser: a one-click link or a staff member acts in nobody's browser.
        var browser = accessor.HttpContext?.User.SubjectId() == subjectId ? state.Stored : null;
        if (browser is null || !browser.Categories.Contains(categoryId))
        {
            return null;
        }

        if (account is null || account.ConsentId != browser.ConsentId || account.GivenAt != browser.GivenAt)
        {
            db.Add(Without(browser.ConsentId, subjectId, [.. browser.Categories], categoryId, state.GlobalPrivacyControl, browser.PolicyRevision, browser.GivenAt, now));
        }

        return browser with { Categories = browser.Categories.Where(c => c != categoryId).ToHashSet(StringComparer.Ordinal) };
    }

    public void ApplyToBrowser(StoredCookieConsent consent)
    {
        ArgumentNullException.ThrowIfNull(consent);
        if (accessor.HttpContext is { } context)
        {
            record.Apply(context, consent);
        }
    }

    private static CookieConsentRecord Without(Guid consentId, Guid subjectId, IReadOnlyList<string> categories, string categoryId, bool gpc, string revision, DateTimeOffset givenAt, DateTimeOffset now) => new()
    {
        ConsentId = consentId,
        SubjectId = subjectId,
        Categories = string.Join(' ', categories.Where(c => c != categoryId)),
        Action = CookieConsentAction.WithdrawnWithConsent,
        GlobalPrivacyControl = gpc,
        PolicyRevision = revision,
        GivenAt = givenAt,
        RecordedAt = now,
    };
}
