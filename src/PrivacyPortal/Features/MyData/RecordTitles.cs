using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace PrivacyPortal.Features.MyData;

/// <summary>
/// The title a person reads for a store's record, in their language: "Faktura NO-F-2025-0456" from
/// the template <c>Title.contract-invoicing</c> ("Faktura {invoice}") in the MyData resources and the
/// record's own fields, instead of the summary the store wrote in its language.
/// <para>
/// A template may offer alternatives separated by <c>||</c>; the first whose fields the record has
/// wins. <c>{field}</c> puts the field's value in, <c>{?field}</c> only requires it. A category
/// without a template, or a record none of the alternatives fits, keeps the store's summary.
/// </para>
/// </summary>
public sealed partial class RecordTitles(IStringLocalizer<Localization.MyData> text)
{
    private readonly ConcurrentDictionary<(string Culture, string Category), Alternative[]> _templates = new();

    /// <param name="fields">The record's top-level values that are text, numbers or booleans, as the page already read them (<c>RectifiableFields.Of</c>).</param>
    public string For(string categoryId, IEnumerable<(string Field, string Value)> fields, string storeSummary)
    {
        ArgumentNullException.ThrowIfNull(categoryId);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(storeSummary);
        var alternatives = _templates.GetOrAdd((CultureInfo.CurrentUICulture.Name, categoryId), Parse);
        if (alternatives.Length == 0)
        {
            return storeSummary;
        }

        // Blank values do not fill a title: "Makse " with nothing after it says nothing.
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in fields)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                values[field] = value.Trim();
            }
        }

        foreach (var alternative in alternatives)
        {
            if (alternative.Fields.All(values.ContainsKey))
            {
                var title = new StringBuilder();
                foreach (var part in alternative.Parts)
                {
                    title.Append(part.Field is { } field ? Shorten(values[field]) : part.Text);
                }

                return title.ToString();
            }
        }

        return storeSummary;
    }

    private Alternative[] Parse((string Culture, string Category) key)
    {
        var template = text["Title." + key.Category];
        if (template.ResourceNotFound)
        {
            return [];
        }

        return [.. template.Value.Split("||", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ParseAlternative)];
    }

    private static Alternative ParseAlternative(string alternative)
    {
        var parts = new List<Part>();
        var fields = new List<string>();
        var at = 0;
        foreach (Match match in Placeholder().Matches(alternative))
        {
            parts.Add(new Part(alternative[at..match.Index], null));
            var field = match.Groups["field"].Value;
            fields.Add(field);
            if (match.Groups["required"].Length == 0)
            {
                parts.Add(new Part("", field));
            }

            at = match.Index + match.Length;
        }

        parts.Add(new Part(alternative[at..], null));
        return new Alternative([.. parts.Where(p => p.Field is not null || p.Text.Length > 0)], [.. fields.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>A value as long as a title can carry; the whole value is in the record's details.</summary>
    private static string Shorten(string value) => value.Length <= MaxValueLength ? value : value[..(MaxValueLength - 1)].TrimEnd() + "…";

    private const int MaxValueLength = 80;

    [GeneratedRegex(@"\{(?<required>\?)?(?<field>[A-Za-z0-9_]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    private sealed record Part(string Text, string? Field);

    private sealed record Alternative(Part[] Parts, string[] Fields);
}
