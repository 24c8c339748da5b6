using System.IO.Compression;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.MyData;

/// <summary>Records stored before the store API refused such input must not break the page or the download.</summary>
public sealed class PersonalDataExportTests(PortalWithMail portal) : IClassFixture<PortalWithMail>
{
    [Fact]
    public async Task A_record_with_a_far_retention_date_and_a_field_twice_shows_and_exports()
    {
        await using (var scope = portal.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var mari = await db.Users.SingleAsync(u => u.Email == "mari.maasikas@example.ee");
            var now = portal.App.Clock.GetUtcNow();
            db.HeldRecords.Add(new HeldRecord
            {
                SubjectId = mari.Id, ControllerId = "innore-ee", CategoryId = "orders", Summary = "Order EE-FAR-1",
                Content = """{"colour":"red","colour":"blue"}""", RetentionFrom = new DateOnly(9999, 1, 1),
                SourceStoreId = "innore-eu", ExternalId = "EE-FAR-1", CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync();
        }

        var client = await portal.SignInAsync("mari.maasikas@example.ee", "en");
        var page = await client.GetPageAsync("/en/my-data");
        Assert.Contains("Order EE-FAR-1", page.Body!.TextContent, StringComparison.Ordinal);

        using var response = await HtmlForm.From(client, page, "form[action='/en/my-data/export']").SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var zip = new ZipArchive(stream);
        using var reader = new StreamReader(zip.GetEntry("csv/innore-ee/orders.csv")!.Open());
        var lines = (await reader.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('\uFEFF').Split(';');
        var row = lines.Single(l => l.Contains("Order EE-FAR-1", StringComparison.Ordinal));
        // The last of the two values wins, as in JavaScript; the calendar's last day is the retention end.
        Assert.Single(header, h => h == "Colour");
        Assert.Contains("blue", row, StringComparison.Ordinal);
        Assert.DoesNotContain("red", row, StringComparison.Ordinal);
        Assert.Contains("9999-12-31", row, StringComparison.Ordinal);
    }
}
