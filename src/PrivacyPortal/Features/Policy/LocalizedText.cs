using System.Globalization;

namespace PrivacyPortal.Features.Policy;

/// <summary>A person-facing text from the policy file, given in every portal culture.</summary>
public sealed class LocalizedText
{
    /// <summary>The cultures every text must carry; the portal serves exactly these.</summary>
    public static readonly IReadOnlyList<string> RequiredCultures = ["en", "nb", "et"];

    /// <summary>The culture used when a text lacks the one asked for.</summary>
    public const string FallbackCulture = "en";

    private readonly Dictionary<string, string> texts;

    public LocalizedText(IReadOnlyDictionary<string, string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        this.texts = new Dictionary<string, string>(texts, StringComparer.OrdinalIgnoreCase);
    }

    public static LocalizedText Empty { get; } = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Texts => texts;

    public string En => Get(CultureInfo.InvariantCulture);

    /// <summary>
    /// The text for <paramref name="culture"/> or its parents (nb-NO → nb), else English.
    /// Plain "no" and Nynorsk browsers get Bokmål, the only Norwegian the policy carries.
    /// </summary>
    public string Get(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        for (var c = culture; !string.IsNullOrEmpty(c.Name); c = c.Parent)
        {
            if (texts.TryGetValue(c.Name, out var text))
            {
                return text;
            }

            if (c.TwoLetterISOLanguageName is "no" or "nn" && texts.TryGetValue("nb", out var bokmal))
            {
                return bokmal;
            }
        }

        return texts.TryGetValue(FallbackCulture, out var fallback) ? fallback : string.Empty;
    }

    public override string ToString() => En;
}
