using System.Globalization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Cookies;

public enum CookieConsentOutcome
{
    Recorded,

    /// <summary>The browser already had exactly this valid choice (a double click): nothing written.</summary>
    Unchanged,

    /// <summary>A category the policy does not have: nothing written.</summary>
    UnknownCategory,
}

/// <summary>
/// Stores a cookie choice: a proof row, the consent cookie, and the language cookie written or
/// removed with the preference category. The consent id stays the same for a browser across its
/// choices, so its history reads as one line.
/// </summary>
public sealed class RecordCookieConsentCommand(
    PortalDbContext db,
    PolicyCatalog policy,
    CookieConsentState state,
    CookieConsentCookies cookies,
    TimeProvider time)
{
    /// <param name="optionalCategories">The consent-required categories the person accepts; strictly necessary ones are always added.</param>
    public async Task<CookieConsentOutcome> ExecuteAsync(
        HttpContext context,
        IReadOnlyCollection<string> optionalCategories,
        CookieConsentAction action,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(optionalCategories);
        if (optionalCategories.Any(id => policy.FindCookieCategory(id) is null))
        {
            return CookieConsentOutcome.UnknownCategory;
        }

        var categories = policy.CookieCategories.Where(c => !c.ConsentRequired).Select(c => c.Id)
            .Concat(optionalCategories)
            .ToHashSet(StringComparer.Ordinal);
        if (state.HasValidChoice && state.Stored!.Categories.SetEquals(categories))
        {
            return CookieConsentOutcome.Unchanged;
        }

        var now = time.GetUtcNow();
        var consent = new StoredCookieConsent(state.Stored?.ConsentId ?? Guid.NewGuid(), policy.Revision, now, categories);
        db.Add(new CookieConsentRecord
        {
            ConsentId = consent.ConsentId,
            SubjectId = context.User.SubjectId(),
            Categories = string.Join(' ', policy.CookieCategories.Select(c => c.Id).Where(categories.Contains)),
            Action = action,
            GlobalPrivacyControl = state.GlobalPrivacyControl,
            PolicyRevision = policy.Revision,
            GivenAt = now,
            RecordedAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);

        Apply(context, consent);
        return CookieConsentOutcome.Recorded;
    }

    /// <summary>Writes the consent cookie and brings the language cookie in line with it.</summary>
    internal void Apply(HttpContext context, StoredCookieConsent consent, string? language = null)
    {
        cookies.WriteConsent(context, state.Protect(consent), consent.GivenAt);
        state.Replace(consent);
        if (consent.Categories.Contains(policy.Cookies.LanguagePreferenceCategory))
        {
            var culture = language ?? CultureInfo.CurrentUICulture.Name;
            if (PortalCultures.IsSupported(culture))
            {
                cookies.WriteLanguage(context, culture);
            }
        }
        else
        {
            cookies.DeleteLanguage(context);
        }
    }
}
