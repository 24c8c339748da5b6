using System.Text.RegularExpressions;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.MyData;

/// <summary>
/// my-data reads its data in one batch on PostgreSQL and through the services' own queries on
/// SQLite (Pages/MyData/MyDataBatchQuery.cs): the same demo data must give the same page, word for word.
/// </summary>
public sealed partial class SameOnBothDatabasesTests : IDisposable
{
    private readonly PortalHost _sqlite = new(configure: f => f.WithSqlite());
    private readonly PortalHost _postgres = new(configure: f => f.WithPostgres());

    [Theory]
    [InlineData(PortalHost.Kari, "/nb/my-data")]
    [InlineData(PortalHost.Ola, "/en/my-data")]
    [InlineData(PortalHost.Kari, "/en/my-data?category=innore-no%2Forders&p=1")]
    public async Task The_page_reads_the_same_on_SQLite_and_on_PostgreSQL(string person, string url)
    {
        var onSqlite = await MainTextAsync(_sqlite, person, url);
        var onPostgres = await MainTextAsync(_postgres, person, url);
        Assert.Contains("INNORE AS", onSqlite, StringComparison.Ordinal);
        Assert.Equal(onSqlite, onPostgres);
    }

    private static async Task<string> MainTextAsync(PortalHost host, string person, string url)
    {
        var client = await host.SignInAsync(person, url[1..3]);
        var page = await client.GetPageAsync(url);
        return Spaces().Replace(page.QuerySelector("main")!.TextContent, " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    public void Dispose()
    {
        _sqlite.Dispose();
        _postgres.Dispose();
    }
}
