using System.IO.Compression;
using System.Net;
using System.Text.Json;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.MyData;

/// <summary>
/// Art. 15(1): beside the records, my-data and the export say where each category's data comes
/// from, which rights the person has (each a link to the request form with the kind chosen), whether
/// automated decisions are made, and where to complain, all from the policy.
/// </summary>
public sealed class Art15InformationTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    [Fact]
    public async Task Each_category_says_where_its_data_comes_from_in_the_page_language()
    {
        var kari = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var page = await kari.GetPageAsync("/nb/my-data");
        Assert.Contains("Hvor opplysningene kommer fra", page.QuerySelector("#innore-no-orders")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Fra nettbutikken, når du bestiller", page.QuerySelector("#innore-no-orders")!.TextContent, StringComparison.Ordinal);

        var ola = await portal.SignInAsync("ola.hansen@bygg.example.no", "en");
        var olasPage = await ola.GetPageAsync("/en/my-data");
        Assert.Contains("From you or from your employer (the company you represent)", olasPage.QuerySelector("#innore-no-professional-identity")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("From your employer (the company you represent) and from our invoicing", olasPage.QuerySelector("#innore-ee-contract-invoicing")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_rights_link_to_the_request_form_with_the_request_chosen()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var page = await client.GetPageAsync("/nb/my-data");
        var rights = page.QuerySelector("#rights")!;
        var links = rights.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(
            [
                "/nb/requests/new?kind=Access", "/nb/requests/new?kind=Rectification", "/nb/requests/new?kind=Erasure",
                "/nb/requests/new?kind=Restriction", "/nb/requests/new?kind=Objection", "/nb/requests/new?kind=Portability",
                "/nb/requests/new?kind=Complaint", "/nb/preferences",
            ],
            links);
        Assert.Contains("Sletting (art. 17)", rights.TextContent, StringComparison.Ordinal);

        var erasure = rights.QuerySelectorAll("a").Single(a => a.GetAttribute("href") == "/nb/requests/new?kind=Erasure");
        Assert.Equal("Be om sletting", erasure.TextContent);
        var form = await client.GetPageAsync(erasure.GetAttribute("href")!);
        Assert.Equal("Erasure", form.QuerySelector("main form input[type=hidden][name=kind]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task The_page_states_automated_decisions_and_every_company_s_supervisory_authority_once()
    {
        var client = await portal.SignInAsync("mari.maasikas@example.ee", "et");
        var page = await client.GetPageAsync("/et/my-data");

        var automated = page.QuerySelector("#automated-decisions")!;
        Assert.Equal("Automatiseeritud otsused ja profiilianalüüs", automated.QuerySelector("h2")!.TextContent);
        // Both companies state the same, so it is said once.
        var statement = Assert.Single(automated.QuerySelectorAll("p"));
        Assert.StartsWith("Me ei tee teie kohta ainult automatiseeritud töötlusel põhinevaid otsuseid", statement.TextContent, StringComparison.Ordinal);

        var authorities = page.QuerySelector("#authorities")!;
        Assert.Equal(["Innore OÜ", "INNORE AS"], authorities.QuerySelectorAll("h3").Select(h => h.TextContent));
        Assert.Contains("Tatari 39, 10134 Tallinn", authorities.TextContent, StringComparison.Ordinal);
        Assert.Contains("info@aki.ee", authorities.TextContent, StringComparison.Ordinal);
        Assert.Contains("Postboks 458 Sentrum, 0105 Oslo", authorities.TextContent, StringComparison.Ordinal);
        Assert.Contains("postkasse@datatilsynet.no", authorities.TextContent, StringComparison.Ordinal);
        Assert.Single(page.QuerySelectorAll("#rights"));

        Assert.Contains("Kehtib: versioon 2026-05-01, alates", page.QuerySelector("#policy-revision")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Tulemas", page.QuerySelector("#policy-revision")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_export_carries_sources_rights_automated_decisions_and_authorities_in_json_and_csv()
    {
        var client = await portal.SignInAsync("ola.hansen@bygg.example.no", "en");
        using var zip = await ExportAsync(client, "en");
        using var json = JsonDocument.Parse(zip.GetEntry("data.json")!.Open());
        var root = json.RootElement;

        var projectData = root.GetProperty("controllers").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == "innore-no")
            .GetProperty("categories").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == "project-data");
        Assert.Equal("From you and your employer, and from our work on the project", projectData.GetProperty("source").GetString());

        var erasure = root.GetProperty("rights").EnumerateArray().Single(r => r.GetProperty("right").GetString() == "erasure");
        Assert.Equal("Erasure (Art. 17)", erasure.GetProperty("name").GetString());
        Assert.Equal(new Uri(portal.App.ServerAddress, "/en/requests/new?kind=Erasure").AbsoluteUri, erasure.GetProperty("requestForm").GetString());

        Assert.Equal(["innore-ee", "innore-no"], root.GetProperty("automatedDecisions").EnumerateArray().Select(a => a.GetProperty("controller").GetString()));
        Assert.StartsWith("We do not make decisions about you by automated means alone", root.GetProperty("automatedDecisions")[0].GetProperty("statement").GetString(), StringComparison.Ordinal);

        var authorities = root.GetProperty("supervisoryAuthorities").EnumerateArray().ToList();
        var datatilsynet = authorities.First(a => a.GetProperty("controller").GetString() == "innore-no");
        Assert.Equal("postkasse@datatilsynet.no", datatilsynet.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, datatilsynet.GetProperty("when").ValueKind);
        Assert.Contains(authorities, a => a.GetProperty("controller").GetString() == "innore-ee" && a.GetProperty("email").GetString() == "info@aki.ee");

        Assert.Equal("2026-05-01", root.GetProperty("policy").GetProperty("inForce").GetProperty("revision").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("policy").GetProperty("coming").ValueKind);

        var categories = await LinesAsync(zip, "about/categories.csv");
        Assert.Equal("Company;Category ID;Name;Source;Purposes and legal bases;Retention;Law;Recipients;Transfers outside the EEA", categories[0]);
        Assert.Contains(categories, l => l.StartsWith("innore-no;project-data;Project data;From you and your employer, and from our work on the project;", StringComparison.Ordinal));
        // Only the categories Ola has records in.
        Assert.DoesNotContain(categories, l => l.StartsWith("innore-no;orders;", StringComparison.Ordinal));

        var rights = await LinesAsync(zip, "about/rights.csv");
        Assert.Contains(rights, l => l.StartsWith("erasure;Erasure (Art. 17);", StringComparison.Ordinal) && l.EndsWith("/en/requests/new?kind=Erasure", StringComparison.Ordinal));
        Assert.Equal(3, (await LinesAsync(zip, "about/automated-decisions.csv")).Count);
        Assert.Contains(await LinesAsync(zip, "about/authorities.csv"), l => l.StartsWith("innore-no;Norwegian Data Protection Authority (Datatilsynet);;Postboks 458 Sentrum, 0105 Oslo;postkasse@datatilsynet.no;", StringComparison.Ordinal));
    }

    private static async Task<ZipArchive> ExportAsync(CookieAwareClient client, string culture)
    {
        var page = await client.GetPageAsync($"/{culture}/my-data");
        var response = await HtmlForm.From(client, page, $"form[action='/{culture}/my-data/export']").SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var buffer = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        return new ZipArchive(buffer);
    }

    private static async Task<List<string>> LinesAsync(ZipArchive zip, string entry)
    {
        using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
        return [.. (await reader.ReadToEndAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];
    }
}
