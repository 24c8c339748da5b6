using System.Globalization;

namespace PrivacyPortal.Infrastructure.Time;

/// <summary>
/// The one way the portal writes dates and times for people, on pages and in emails alike:
/// en "10 March 2024", nb and et "10.03.2024"; times as "14:05" in a zone the caller chose.
/// Machine-readable places (the export, the store API, audit details) keep ISO 8601 instead.
/// </summary>
public static class DateTexts
{
    public static string Date(DateOnly date, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        // The month in words in English avoids 3/10 versus 10/3; nb and et write numeric dates with
        // the day first as their readers expect.
        return IsEnglish(culture)
            ? date.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en"))
            : date.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
    }

    public static string Time(DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return TimeZoneInfo.ConvertTime(at, zone).ToString("HH:mm", CultureInfo.InvariantCulture);
    }

    public static DateOnly Day(DateTimeOffset at, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
    }

    public static string Date(DateTimeOffset at, TimeZoneInfo zone, CultureInfo culture) => Date(Day(at, zone), culture);

    /// <summary>"10 March 2024, 14:05" or "10.03.2024 14:05", in the zone given.</summary>
    public static string DateTime(DateTimeOffset at, TimeZoneInfo zone, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        var date = Date(at, zone, culture);
        var time = Time(at, zone);
        return IsEnglish(culture) ? $"{date}, {time}" : $"{date} {time}";
    }

    private static bool IsEnglish(CultureInfo culture) => culture.TwoLetterISOLanguageName is "en" or "iv";
}
