using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace PrivacyPortal.Features.Preferences;

/// <summary>
/// A change the person asked for when their session had already ended. It travels, protected,
/// through the sign-in's return URL, and the preferences page shows it again for one more click
/// (a change is only ever made by a POST of the signed-in person, never by following a link).
/// </summary>
/// <param name="ControllerId">Set for a single change or a per-company "object to all"; null with <see cref="ObjectToAll"/> means the whole group.</param>
public sealed record PendingPreferenceChange(bool ObjectToAll, string? ControllerId, PreferenceKind Kind, string Target, bool Enable)
{
    public const string Purpose = "PrivacyPortal.Preferences.Pending.v1";

    public PreferenceKey Key => new(ControllerId ?? "", Kind, Target);

    public string Protect(IDataProtectionProvider dataProtection, TimeProvider time, IOptions<PreferencesOptions> options)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var expires = (time.GetUtcNow() + options.Value.PendingChangeLifetime).ToUnixTimeSeconds();
        var payload = string.Join(
            '|',
            ObjectToAll ? "all" : "one",
            ControllerId ?? "",
            ((int)Kind).ToString(CultureInfo.InvariantCulture),
            Target,
            Enable ? "1" : "0",
            expires.ToString(CultureInfo.InvariantCulture));
        return dataProtection.CreateProtector(Purpose).Protect(payload);
    }

    public static PendingPreferenceChange? Read(string? value, IDataProtectionProvider dataProtection, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(time);
        if (string.IsNullOrEmpty(value) || value.Length > 1000)
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
        if (parts.Length != 6
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var kind)
            || !Enum.IsDefined((PreferenceKind)kind)
            || !long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || DateTimeOffset.FromUnixTimeSeconds(expires) <= time.GetUtcNow())
        {
            return null;
        }

        return new PendingPreferenceChange(
            parts[0] == "all",
            parts[1].Length == 0 ? null : parts[1],
            (PreferenceKind)kind,
            parts[3],
            parts[4] == "1");
    }
}
