using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.MyData;

/// <summary>The download opens as it should for a person: readable JSON, spreadsheets in nb/et, a README.</summary>
public sealed class ExportForPeopleTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    [Fact]
    public async Task The_json_is_readable_utf8_without_escapes()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        using var zip = await ExportAsync(client, "nb");

        var json = await TextAsync(zip, "data.json");

        Assert.DoesNotContain("\\u00", json, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ordreopplysninger", json, StringComparison.Ordinal);
        Assert.Contains("bokføringsloven", json, StringComparison.Ordinal);
        Assert.Contains("\"+47 912 34 567\"", json, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(json);
        Assert.Equal("nb", parsed.RootElement.GetProperty("language").GetString());
    }

    [Fact]
    public async Task Csv_files_have_a_bom_semicolons_headers_in_the_persons_language_and_phone_numbers_as_they_are()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        using var zip = await ExportAsync(client, "nb");

        var bytes = await BytesAsync(zip, "csv/innore-no/contact.csv");
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID;Dato;Sammendrag;Oppbevares til;Begrenset;Kilde;", lines[0], StringComparison.Ordinal);
        Assert.Contains(";Leveringsadresse;", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("deliveryAddress", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains(";+47 912 34 567;", StringComparison.Ordinal) || l.EndsWith(";+47 912 34 567", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("'+47", StringComparison.Ordinal));

        var categories = Encoding.UTF8.GetString((await BytesAsync(zip, "about/categories.csv"))[3..]);
        Assert.StartsWith("Selskap;Kategori-ID;Navn;Kilde;", categories, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Estonian_headers_and_yes_no_in_estonian()
    {
        var client = await portal.SignInAsync("mari.maasikas@example.ee", "et");
        using var zip = await ExportAsync(client, "et");

        var orders = (await TextAsync(zip, "csv/innore-ee/orders.csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("ID;Kuupäev;Kokkuvõte;Säilitatakse kuni;Piiratud;Allikas", orders[0], StringComparison.Ordinal);
        Assert.All(orders.Skip(1), l => Assert.Contains(";ei;", l, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("en", "Your personal data from Innore", "Opening the CSV files")]
    [InlineData("nb", "Personopplysningene dine fra Innore", "Slik åpner du CSV-filene")]
    [InlineData("et", "Teie isikuandmed Innorest", "CSV-failide avamine")]
    public async Task A_readme_explains_every_file_in_the_persons_language(string culture, string title, string spreadsheets)
    {
        var client = await portal.SignInAsync("ola.hansen@bygg.example.no", culture);
        using var zip = await ExportAsync(client, culture);

        var readme = await TextAsync(zip, "README.html");

        Assert.Contains($"<html lang=\"{culture}\">", readme, StringComparison.Ordinal);
        Assert.Contains($"<h1>{title}</h1>", readme, StringComparison.Ordinal);
        Assert.Contains(spreadsheets, readme, StringComparison.Ordinal);
        foreach (var entry in zip.Entries.Where(e => e.FullName != "README.html"))
        {
            Assert.Contains($"<code>{entry.FullName}</code>", readme, StringComparison.Ordinal);
        }
    }

    private static async Task<ZipArchive> ExportAsync(CookieAwareClient client, string culture)
    {
        var page = await client.GetPageAsync($"/{culture}/my-data");
        var response = await HtmlForm.From(client, page, $"form[action='/{culture}/my-data/export']").SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
    }

    private static async Task<byte[]> BytesAsync(ZipArchive zip, string name)
    {
        await using var stream = zip.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task<string> TextAsync(ZipArchive zip, string name) =>
        Encoding.UTF8.GetString(await BytesAsync(zip, name)).TrimStart('\uFEFF');
}
