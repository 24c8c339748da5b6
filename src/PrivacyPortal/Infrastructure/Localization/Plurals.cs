using System.Globalization;
using Microsoft.Extensions.Localization;

namespace PrivacyPortal.Infrastructure.Localization;

/// <summary>CLDR plural categories of the portal's languages, for whole-number counts.</summary>
public enum PluralCategory
{
    One,
    Other,
}

/// <summary>
/// "1 registrering", "5 registreringer": resources hold <c>{Key}.One</c> and <c>{Key}.Other</c>,
/// and the count picks one by the CLDR rules of the language. For integers en, nb and et agree
/// (one: n = 1; other: everything else, 0 included); the switch is where a language with more
/// forms would go.
/// </summary>
public static class Plurals
{
    public static PluralCategory CategoryOf(long count, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        return culture.TwoLetterISOLanguageName switch
        {
            // CLDR: en "one: i = 1 and v = 0", nb "one: n = 1", et "one: i = 1 and v = 0".
            "en" or "nb" or "no" or "et" => count == 1 ? PluralCategory.One : PluralCategory.Other,
            _ => count == 1 ? PluralCategory.One : PluralCategory.Other,
        };
    }

    /// <summary>The form of <paramref name="key"/> for <paramref name="count"/>; {0} is the count, written for the culture.</summary>
    public static LocalizedString Plural(this IStringLocalizer text, string key, long count, params object[] more)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(more);
        var culture = CultureInfo.CurrentUICulture;
        var form = key + "." + CategoryOf(count, culture);
        return text[form, [count.ToString("N0", culture), .. more]];
    }
}
