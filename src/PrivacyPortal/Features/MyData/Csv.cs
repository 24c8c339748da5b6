using System.Text;

namespace PrivacyPortal.Features.MyData;

/// <summary>
/// Semicolon-separated fields with RFC 4180 quoting, for spreadsheet programs set to Norwegian or
/// Estonian (where the comma is the decimal sign), with formulas defused (see docs/export-schema.md).
/// </summary>
public static class Csv
{
    public const char Separator = ';';

    public static void AppendRow(StringBuilder line, IEnumerable<string?> fields)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(fields);
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                line.Append(Separator);
            }

            first = false;
            AppendField(line, field ?? "");
        }

        line.Append("\r\n");
    }

    /// <summary>
    /// Whether a spreadsheet could run the value as a formula that does harm. A formula can only reach
    /// a function (HYPERLINK, WEBSERVICE, IMPORTXML), another cell or another program (DDE) with
    /// letters, quotes, '|', '!' or ':'; a value that starts like a formula but holds only digits,
    /// spaces and + - ( ) . , / (a phone number "+47 912 34 567", an amount "-12,50") cannot, and is
    /// written as it is.
    /// </summary>
    public static bool NeedsDefusing(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return false;
        }

        var start = value[0];
        if (start is '\t' or '\r' or '\n' or '=' or '@')
        {
            return true;
        }

        if (start is not ('+' or '-'))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')' or '.' or ',' or '/'))
            {
                return true;
            }
        }

        return false;
    }

    private static void AppendField(StringBuilder line, string value)
    {
        // A leading apostrophe makes the spreadsheet take the cell as text; it is only needed, and
        // only written, where the value could be run as a formula (above).
        if (NeedsDefusing(value))
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny("\";\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
