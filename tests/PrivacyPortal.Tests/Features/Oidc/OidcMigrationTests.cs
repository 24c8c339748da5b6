using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>The hand-written migrations must build exactly the schema the model describes.</summary>
public sealed class OidcMigrationTests
{
    [Fact]
    public async Task Migrating_builds_the_same_sqlite_schema_as_the_model()
    {
        var created = await SchemaAsync(db => db.Database.EnsureCreatedAsync());
        var migrated = await SchemaAsync(db => db.Database.MigrateAsync());

        Assert.Contains(created, line => line.StartsWith("OidcGrants.", StringComparison.Ordinal));
        Assert.Equal(created, migrated);
    }

    [Fact]
    public void The_oidc_migration_comes_after_the_foundation()
    {
        using var db = NewContext(new SqliteConnection("Data Source=:memory:"));
        var migrations = db.Database.GetMigrations().ToList();

        Assert.Contains("20261122000600_Oidc", migrations);
        Assert.True(migrations.IndexOf("20261122000600_Oidc") > migrations.IndexOf("20261122000100_Foundation"));
    }

    private static async Task<List<string>> SchemaAsync(Func<PortalDbContext, Task> build)
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using (var db = NewContext(connection))
        {
            await build(db);
        }

        var lines = new List<string>();
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EFMigrations%'";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            lines.AddRange(await RowsAsync(connection, $"SELECT '{table}.' || name || ' ' || type || ' notnull=' || \"notnull\" || ' pk=' || pk FROM pragma_table_info('{table}')"));
            lines.AddRange(await RowsAsync(connection, $"SELECT '{table} index ' || il.name || ' unique=' || il.\"unique\" || ' (' || (SELECT group_concat(ii.name, ',') FROM pragma_index_info(il.name) ii) || ')' FROM pragma_index_list('{table}') il WHERE il.origin <> 'pk'"));
            lines.AddRange(await RowsAsync(connection, $"SELECT '{table} fk ' || \"from\" || ' -> ' || \"table\" || '.' || \"to\" || ' ' || on_delete FROM pragma_foreign_key_list('{table}')"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> RowsAsync(SqliteConnection connection, string sql)
    {
        var rows = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static PortalDbContext NewContext(SqliteConnection connection) =>
        new(new DbContextOptionsBuilder<PortalDbContext>()
            .UseSqlite(connection)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning))
            .Options);
}
