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

    /// <summary>A moment as the rest of the portal writes it, in the reader's language and zone.</summary>
    public static string Moment(DateTimeOffset at, TimeZoneInfo zone, CultureInfo culture) =>
        Infrastructure.Time.DateTexts.DateTime(at, zone, culture);

    /// <summary>Whole minutes, at least one, for "lasted 12 minutes".</summary>
    public static int Minutes(DateTimeOffset from, DateTimeOffset to) => Math.Max(1, (int)Math.Ceiling((to - from).TotalMinutes));
}
