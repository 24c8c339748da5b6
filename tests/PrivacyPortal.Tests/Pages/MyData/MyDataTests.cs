using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.MyData;

public sealed class MyDataTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    [Fact]
    public async Task Kari_sees_her_data_per_company_and_category_with_purpose_basis_retention_recipients_and_transfers()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var page = await client.GetPageAsync("/nb/my-data");

        var companies = page.QuerySelectorAll("section.controller > h2").Select(h => h.TextContent).ToList();
        Assert.Equal(["Innore OÜ", "INNORE AS"], companies);

        var orders = page.QuerySelector("#innore-no-orders")!;
        Assert.Contains("5", orders.QuerySelector("h3 .tag")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("bokføringsloven § 13", orders.TextContent, StringComparison.Ordinal);
        Assert.Contains("Oppfyllelse av avtale", orders.TextContent, StringComparison.Ordinal);
        Assert.Contains("Innore OÜ", orders.QuerySelector("details.more")!.TextContent, StringComparison.Ordinal);

        // The order of 10.03.2024 at INNORE AS is deleted on 31.12.2029 (5 years after the accounting year).
        var row = orders.QuerySelectorAll("tbody tr").Single(r => r.TextContent.Contains("NO-2024-0311", StringComparison.Ordinal));
        Assert.Equal("10.03.2024", row.Children[0].TextContent.Trim());
        Assert.Equal("31.12.2029", row.Children[2].TextContent.Trim());

        // The production drawing the Estonian parent holds: 7 years after its financial year.
        var drawing = page.QuerySelector("#innore-ee-configurator-drawings tbody tr")!;
        Assert.Equal("31.12.2031", drawing.Children[2].TextContent.Trim());

        Assert.DoesNotContain("Mari Maasikas", page.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_business_contact_sees_company_registration_code_job_title_and_project_data()
    {
        var client = await portal.SignInAsync("ola.hansen@bygg.example.no", "en");
        var page = await client.GetPageAsync("/en/my-data");
        var you = page.QuerySelector("#you-heading")!.ParentElement!.TextContent;
        Assert.Contains("Hansen Bygg AS", you, StringComparison.Ordinal);
        Assert.Contains("912 345 678", you, StringComparison.Ordinal);
        Assert.Contains("Prosjektleder", you, StringComparison.Ordinal);
        Assert.Contains("Contact person of a business customer", you, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("#innore-no-project-data"));
        Assert.NotNull(page.QuerySelector("#innore-ee-contract-invoicing"));
    }

    [Theory]
    [InlineData("et", "Minu andmed", "raamatupidamise seadus")]
    [InlineData("en", "My data", "Accounting Act")]
    public async Task The_page_speaks_the_language_of_its_URL(string culture, string title, string law)
    {
        var client = await portal.SignInAsync("mari.maasikas@example.ee", culture);
        var page = await client.GetPageAsync($"/{culture}/my-data");
        Assert.StartsWith(title, page.Title, StringComparison.Ordinal);
        Assert.Contains(law, page.QuerySelector("#innore-ee-orders")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_signing_in_my_data_and_the_export_send_you_to_sign_in_and_back()
    {
        var client = portal.NewClient();
        var response = await client.GetAsync("/nb/my-data");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/nb/login?returnUrl=%2Fnb%2Fmy-data", response.Headers.Location?.OriginalString);

        // The download button of a page whose session has ended since it was shown.
        var signedIn = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var page = await signedIn.GetPageAsync("/nb/my-data");
        var download = HtmlForm.From(signedIn, page, "form[action='/nb/my-data/export']");
        await HtmlForm.From(signedIn, page, "form[action$='/logout']").SubmitAsync();
        var expired = await download.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, expired.StatusCode);
        Assert.Equal("/nb/login?returnUrl=%2Fnb%2Fmy-data%2Fexport", expired.Headers.Location?.OriginalString);

        // After signing in again the return URL (a GET of the download address) leads back to my-data.
        var back = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var returned = await back.GetAsync("/nb/my-data/export");
        Assert.Equal(HttpStatusCode.Redirect, returned.StatusCode);
        Assert.Equal("/nb/my-data", returned.Headers.Location?.OriginalString);
        var again = await back.GetPageAsync("/nb/my-data");
        var zip = await HtmlForm.From(back, again, "form[action='/nb/my-data/export']").SubmitAsync();
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_export_is_a_zip_with_versioned_json_and_one_csv_per_category_of_only_your_data()
    {
        var client = await portal.SignInAsync("kari.nordmann@example.no", "nb");
        var page = await client.GetPageAsync("/nb/my-data");
        var response = await HtmlForm.From(client, page, "form[action='/nb/my-data/export']").SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);

        await using var stream = await response.Content.ReadAsStreamAsync();
        using var zip = new ZipArchive(stream);
        var json = JsonDocument.Parse(zip.GetEntry("data.json")!.Open());
        Assert.Equal(1, json.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("kari.nordmann@example.no", json.RootElement.GetProperty("person").GetProperty("email").GetString());
        var records = json.RootElement.GetProperty("controllers").EnumerateArray()
            .SelectMany(c => c.GetProperty("categories").EnumerateArray())
            .SelectMany(c => c.GetProperty("records").EnumerateArray())
            .ToList();

        using var scope = portal.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var kari = await db.Users.SingleAsync(u => u.Email == "kari.nordmann@example.no");
        var karisIds = await db.HeldRecords.Where(r => r.SubjectId == kari.Id).Select(r => r.Id).OrderBy(id => id).ToListAsync();
        Assert.Equal(karisIds, records.Select(r => r.GetProperty("id").GetInt64()).Order());

        var order = records.Single(r => r.GetProperty("summary").GetString()!.Contains("NO-2024-0311", StringComparison.Ordinal) && r.GetProperty("content").TryGetProperty("total", out _));
        Assert.Equal("2029-12-31", order.GetProperty("retentionEnd").GetString());

        var ordersCsv = zip.GetEntry("csv/innore-no/orders.csv")!;
        using var reader = new StreamReader(ordersCsv.Open());
        var lines = (await reader.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID;Dato;Sammendrag;Oppbevares til;Begrenset;Kilde;", lines[0].TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Equal(6, lines.Length);
        Assert.Contains(lines, l => l.Contains("2024-03-10", StringComparison.Ordinal) && l.Contains("2029-12-31", StringComparison.Ordinal));
        var csvIds = new List<long>();
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("csv/", StringComparison.Ordinal)))
        {
            using var csv = new StreamReader(entry.Open());
            csvIds.AddRange((await csv.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(l => long.Parse(l[..l.IndexOf(';', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(karisIds, csvIds.Order());
        foreach (var entry in zip.Entries)
        {
            using var text = new StreamReader(entry.Open());
            var content = await text.ReadToEndAsync();
            Assert.DoesNotContain("mari.maasikas", content, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Hansen Bygg", content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_export_is_only_a_POST_with_antiforgery()
    {
        var client = await portal.SignInAsync("mari.maasikas@example.ee", "et");
        var get = await client.GetAsync("/et/my-data/export");
        Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
        var forged = await client.PostFormAsync("/et/my-data/export", []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task Paging_through_a_category_shows_the_next_records()
    {
        using var scope = portal.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var ola = await db.Users.SingleAsync(u => u.Email == "ola.hansen@bygg.example.no");
        var now = portal.App.Clock.GetUtcNow();
        for (var i = 0; i < 120; i++)
        {
            db.HeldRecords.Add(new HeldRecord
            {
                SubjectId = ola.Id, ControllerId = "innore-no", CategoryId = "inquiries", Summary = $"Inquiry {i:000}",
                Content = "{}", RetentionFrom = new DateOnly(2026, 1, 1).AddDays(i), CreatedAt = now, UpdatedAt = now,
            });
        }

        await db.SaveChangesAsync();
        var client = await portal.SignInAsync("ola.hansen@bygg.example.no", "en");
        var overview = await client.GetPageAsync("/en/my-data");
        Assert.Equal(10, overview.QuerySelectorAll("#innore-no-inquiries tbody tr").Length);
        Assert.Contains("Show all 120 records", overview.QuerySelector("#innore-no-inquiries")!.TextContent, StringComparison.Ordinal);

        var third = await client.GetPageAsync("/en/my-data?category=innore-no%2Finquiries&p=3");
        var rows = third.QuerySelectorAll("#innore-no-inquiries tbody tr");
        Assert.Equal(20, rows.Length);
        Assert.Contains("Inquiry 019", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Page 3 of 3", third.QuerySelector("#innore-no-inquiries .pagination")!.TextContent, StringComparison.Ordinal);

        var beyond = await client.GetPageAsync("/en/my-data?category=innore-no%2Finquiries&p=99999");
        Assert.Empty(beyond.QuerySelectorAll("#innore-no-inquiries tbody tr"));
    }
}
