using System.Globalization;

namespace PrivacyPortal.Infrastructure.Localization;

/// <summary>The cultures every person-facing page and email exists in.</summary>
public static class PortalCultures
{
    public const string Default = "en";

    public static readonly IReadOnlyList<string> Names = ["nb", "et", "en"];

    public static readonly IReadOnlyList<CultureInfo> All = [.. Names.Select(CultureInfo.GetCultureInfo)];

    public static bool IsSupported(string? name) =>
        name is not null && Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The name of a language in that language, for the switcher.</summary>
    public static string NativeName(string name) => name switch
    {
        "nb" => "Norsk",
        "et" => "Eesti",
        _ => "English",
    };

    /// <summary>Picks the best supported culture from an Accept-Language header.</summary>
    public static string FromAcceptLanguage(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return Default;
        }

        var candidates = Microsoft.Net.Http.Headers.StringWithQualityHeaderValue.TryParseList(header.Split(','), out var parsed)
            ? parsed.OrderByDescending(v => v.Quality ?? 1.0).Select(v => v.Value.Value ?? "")
            : [];
        foreach (var candidate in candidates)
        {
            var language = candidate.Split('-')[0].ToLowerInvariant();
            // Norwegian browsers say no, nb or nn; all of them read Bokmål.
            if (language is "no" or "nb" or "nn")
            {
                return "nb";
            }

            if (IsSupported(language))
            {
                return language;
            }
        }

        return Default;
    }
}
