using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Preferences;

public enum UnsubscribeTokenStatus
{
    Valid,

    /// <summary>Tampered with, made by someone else's key, cut short, or for a preference the policy no longer has.</summary>
    Invalid,
    Expired,
}

public sealed record UnsubscribeToken(Guid SubjectId, PreferenceKey Key, string? StoreId, DateTimeOffset ExpiresAt);

public sealed record UnsubscribeTokenRead(UnsubscribeTokenStatus Status, UnsubscribeToken? Token)
{
    public static readonly UnsubscribeTokenRead Invalid = new(UnsubscribeTokenStatus.Invalid, null);
}

/// <summary>A link and the two headers a store puts into one marketing email.</summary>
/// <param name="ListUnsubscribe">The value of the <c>List-Unsubscribe</c> header (RFC 2369).</param>
/// <param name="ListUnsubscribePost">The value of the <c>List-Unsubscribe-Post</c> header (RFC 8058).</param>
public sealed record UnsubscribeLink(Uri Url, string ListUnsubscribe, string ListUnsubscribePost);

/// <summary>
/// Issues and reads the signed unsubscribe links of the stores' marketing emails. The token names
/// the person, the company and the preference, and is protected by ASP.NET Core Data Protection
/// (encrypted and authenticated with the portal's key ring), so it cannot be read, changed or made
/// up outside the portal. Its expiry is inside the protected payload and checked against the
/// injected clock.
/// </summary>
public sealed class UnsubscribeLinks(
    IDataProtectionProvider dataProtection,
    PolicyCatalog policy,
    PortalDbContext db,
    IOptions<PreferencesOptions> options,
    IOptions<PortalOptions> portal,
    TimeProvider time)
{
    public const string Purpose = "PrivacyPortal.Preferences.Unsubscribe.v1";
    public const int MaxTokenLength = 1000;

    private IDataProtector Protector => dataProtection.CreateProtector(Purpose);

    /// <summary>
    /// The link for one person, company and preference (a stop only), in the person's language.
    /// This is what the store API will hand out; tests and the portal's own mails use it directly.
    /// </summary>
    public async Task<UnsubscribeLink> CreateAsync(Guid subjectId, PreferenceKey key, string? storeId, CancellationToken cancellationToken)
    {
        if (!key.ExistsIn(policy))
        {
            throw new ArgumentException($"The policy offers no preference {key}.", nameof(key));
        }

        if (storeId is not null && policy.FindStore(storeId) is null)
        {
            throw new ArgumentException($"The policy has no store '{storeId}'.", nameof(storeId));
        }

        var culture = await db.Users.AsNoTracking().Where(u => u.Id == subjectId).Select(u => u.PreferredCulture).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ArgumentException("No such person.", nameof(subjectId));
        var url = portal.Value.Link($"/{(PortalCultures.IsSupported(culture) ? culture : PortalCultures.Default)}/unsubscribe/{CreateToken(subjectId, key, storeId)}");
        return new UnsubscribeLink(url, $"<{url.AbsoluteUri}>", "List-Unsubscribe=One-Click");
    }

    public string CreateToken(Guid subjectId, PreferenceKey key, string? storeId)
    {
        var expires = time.GetUtcNow() + options.Value.UnsubscribeLinkLifetime;
        var payload = string.Join(
            '|',
            "1",
            subjectId.ToString("N"),
            key.ControllerId,
            ((int)key.Kind).ToString(CultureInfo.InvariantCulture),
            key.Target,
            storeId ?? "",
            expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return Protector.Protect(payload);
    }

    public UnsubscribeTokenRead Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return UnsubscribeTokenRead.Invalid;
        }

        string payload;
        try
        {
            payload = Protector.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return UnsubscribeTokenRead.Invalid;
        }
        catch (FormatException)
        {
            return UnsubscribeTokenRead.Invalid;
        }

        var parts = payload.Split('|');
        if (parts.Length != 7 || parts[0] != "1"
            || !Guid.TryParseExact(parts[1], "N", out var subjectId)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var kind)
            || !Enum.IsDefined((PreferenceKind)kind)
            || !long.TryParse(parts[6], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresUnix))
        {
            return UnsubscribeTokenRead.Invalid;
        }

        var key = new PreferenceKey(parts[2], (PreferenceKind)kind, parts[4]);
        if (!key.ExistsIn(policy))
        {
            return UnsubscribeTokenRead.Invalid;
        }

        var parsed = new UnsubscribeToken(subjectId, key, parts[5].Length == 0 ? null : parts[5], DateTimeOffset.FromUnixTimeSeconds(expiresUnix));
        return parsed.ExpiresAt <= time.GetUtcNow()
            ? new UnsubscribeTokenRead(UnsubscribeTokenStatus.Expired, parsed)
            : new UnsubscribeTokenRead(UnsubscribeTokenStatus.Valid, parsed);
    }
}
