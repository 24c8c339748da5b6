using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Tests.Data;

// A quick check of the hand-written 20261122000300_Preferences migration: the tables it creates in
// SQLite are the ones the model would create (columns, types, nullability, keys, indexes, foreign keys).
public sealed class PreferencesMigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "portal-migration-" + Guid.NewGuid().ToString("N"));

    public PreferencesMigrationTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("MarketingPreferences")]
    [InlineData("CookieConsents")]
    public async Task The_migrated_table_equals_the_model(string table)
    {
        var created = Path.Combine(_folder, "created.db");
        var migrated = Path.Combine(_folder, "migrated.db");
        await using (var db = Context(created))
        {
            await db.Database.EnsureCreatedAsync();
        }

        await using (var db = Context(migrated))
        {
            await db.Database.MigrateAsync();
        }

        Assert.Equal(await DescribeAsync(created, table), await DescribeAsync(migrated, table));
    }

    private static PortalDbContext Context(string path) =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite($"Data Source={path}").Options);

    private static async Task<string> DescribeAsync(string path, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        var lines = new List<string>();
        foreach (var pragma in new[] { "table_info", "index_list", "foreign_key_list" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM pragma_{pragma}('{table}')";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(pragma + ": " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
                    .Where(i => reader.GetName(i) != "seq" || pragma != "index_list") // creation order, not schema
                    .Select(i => $"{reader.GetName(i)}={reader.GetValue(i)}")));
            }
        }

        await using (var indexes = connection.CreateCommand())
        {
            indexes.CommandText = "SELECT name, sql FROM sqlite_master WHERE tbl_name = $t AND type = 'index' AND sql IS NOT NULL ORDER BY name";
            indexes.Parameters.AddWithValue("$t", table);
            await using var reader = await indexes.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add("index: " + reader.GetString(1));
            }
        }

        await using (var sql = connection.CreateCommand())
        {
            sql.CommandText = "SELECT sql FROM sqlite_master WHERE name = $t AND type = 'table'";
            sql.Parameters.AddWithValue("$t", table);
            var text = (string?)await sql.ExecuteScalarAsync() ?? "(missing)";
            lines.Add("autoincrement: " + text.Contains("AUTOINCREMENT", StringComparison.Ordinal));
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines);
    }
}
