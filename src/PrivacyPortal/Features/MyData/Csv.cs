using System.Text;

namespace PrivacyPortal.Features.MyData;

/// <summary>RFC 4180 fields, with spreadsheet formulas defused.</summary>
internal static class Csv
{
    public static void AppendRow(StringBuilder line, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                line.Append(',');
            }

            first = false;
            AppendField(line, field ?? "");
        }

        line.Append("\r\n");
    }

    private static void AppendField(StringBuilder line, string value)
    {
        // A cell starting with = + - @ is run as a formula by spreadsheet programs (CSV injection).
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny("\",\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
