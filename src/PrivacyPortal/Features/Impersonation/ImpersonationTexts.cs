using System.Globalization;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>How staff and times are shown to the customer, the same on the page, in the export and in the email.</summary>
public static class ImpersonationTexts
{
    /// <summary>The staff member as the policy says to show them: "Siri Support" or "S. S.".</summary>
    public static string StaffAs(string name, StaffNameDisplay display)
    {
        if (display == StaffNameDisplay.Name || string.IsNullOrWhiteSpace(name))
        {
            return name;
        }

        return string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => char.ToUpper(part[0], CultureInfo.InvariantCulture) + "."));
    }

    /// <summary>A moment as the rest of the portal writes it: the date in the reader's language, the time in UTC.</summary>
    public static string Moment(DateTimeOffset at, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        var utc = at.UtcDateTime;
        return utc.ToString("d", culture) + " " + utc.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC";
    }

    /// <summary>Only the time, for the banner, where the date is today.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>Whole minutes, at least one, for "lasted 12 minutes".</summary>
    public static int Minutes(DateTimeOffset from, DateTimeOffset to) => Math.Max(1, (int)Math.Ceiling((to - from).TotalMinutes));
}
