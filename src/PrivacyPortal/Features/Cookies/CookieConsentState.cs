using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Cookies;

/// <summary>The choice a browser holds in its consent cookie, as the portal wrote it.</summary>
public sealed record StoredCookieConsent(Guid ConsentId, string PolicyRevision, DateTimeOffset GivenAt, IReadOnlySet<string> Categories);

/// <summary>
/// This request's cookie consent: the protected consent cookie read once, the <c>Sec-GPC</c>
/// header, and what they allow. The banner shows while there is no valid choice: none yet, one
/// made under another policy revision, or one older than the policy's re-consent period.
/// </summary>
public sealed class CookieConsentState(
    IHttpContextAccessor accessor,
    IDataProtectionProvider dataProtection,
    PolicyCatalog policy,
    CookieConsentCookies cookies,
    TimeProvider time)
{
    public const string Purpose = "PrivacyPortal.Cookies.Consent.v1";

    private bool read;
    private StoredCookieConsent? stored;

    /// <summary>The browser's last choice, valid or not; null when it has none (or a forged one).</summary>
    public StoredCookieConsent? Stored
    {
        get
        {
            if (!read)
            {
                read = true;
                stored = Unprotect(accessor.HttpContext?.Request.Cookies[cookies.ConsentCookieName]);
            }

            return stored;
        }
    }

    public bool HasValidChoice => Stored is { } s && IsCurrent(s.PolicyRevision, s.GivenAt);

    public bool ShowBanner => !HasValidChoice;

    /// <summary>Why the banner is back, when the browser had chosen before.</summary>
    public bool RevisionChanged => Stored is { } s && s.PolicyRevision != policy.Revision;

    /// <summary>The browser sends <c>Sec-GPC: 1</c> (Global Privacy Control).</summary>
    public bool GlobalPrivacyControl =>
        accessor.HttpContext?.Request.Headers["Sec-GPC"].ToString().Trim() == "1";

    /// <summary>Whether cookies of a category may be set: strictly necessary always, the others only with a valid choice.</summary>
    public bool Allows(string categoryId)
    {
        var category = policy.FindCookieCategory(categoryId);
        if (category is null)
        {
            return false;
        }

        return !category.ConsentRequired || (HasValidChoice && Stored!.Categories.Contains(categoryId));
    }

    public bool AllowsLanguageCookie => Allows(policy.Cookies.LanguagePreferenceCategory);

    /// <summary>The culture of the language cookie, honoured only while preference cookies are allowed.</summary>
    public string? ConsentedLanguage
    {
        get
        {
            var value = accessor.HttpContext?.Request.Cookies[cookies.LanguageCookieName];
            return AllowsLanguageCookie && PortalCultures.IsSupported(value) ? value!.ToLowerInvariant() : null;
        }
    }

    public bool IsCurrent(string revision, DateTimeOffset givenAt) =>
        revision == policy.Revision && givenAt.AddMonths(policy.Cookies.ReconsentAfterMonths) > time.GetUtcNow();

    /// <summary>
    /// Categories a Global Privacy Control signal turns off by default: every category that needs
    /// consent except the one that only remembers the language (policy: <c>languagePreferenceCategory</c>).
    /// </summary>
    public bool IsCoveredByGlobalPrivacyControl(CookieCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return category.ConsentRequired && category.Id != policy.Cookies.LanguagePreferenceCategory;
    }

    public string Protect(StoredCookieConsent consent)
    {
        ArgumentNullException.ThrowIfNull(consent);
        var payload = string.Join(
            '|',
            "1",
            consent.ConsentId.ToString("N"),
            consent.PolicyRevision,
            consent.GivenAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            string.Join(' ', consent.Categories.Order(StringComparer.Ordinal)));
        return dataProtection.CreateProtector(Purpose).Protect(payload);
    }

    /// <summary>After this request wrote a new choice, later reads (the rest of the page) see it.</summary>
    internal void Replace(StoredCookieConsent consent)
    {
        read = true;
        stored = consent;
    }

    private StoredCookieConsent? Unprotect(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 2000)
        {
            return null;
        }

        string payload;
        try
        {
            payload = dataProtection.CreateProtector(Purpose).Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }

        var parts = payload.Split('|');
        if (parts.Length != 5 || parts[0] != "1"
            || !Guid.TryParseExact(parts[1], "N", out var consentId)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var givenAt))
        {
            return null;
        }

        return new StoredCookieConsent(
            consentId,
            parts[2],
            DateTimeOffset.FromUnixTimeSeconds(givenAt),
            parts[4].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));
    }
}
