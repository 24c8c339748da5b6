using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using PrivacyPortal.Data;

namespace PrivacyPortal.Tests.Data;

/// <summary>
/// The migrations are written by hand; this proves that applying them gives exactly the schema
/// the model describes (tables, columns, types, nullability, keys, foreign keys, indexes).
/// </summary>
public sealed class MigrationsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("portal-schema-").FullName;

    [Fact]
    public async Task The_migrated_schema_equals_the_model_on_SQLite()
    {
        var migrated = Path.Combine(_directory, "migrated.db");
        var created = Path.Combine(_directory, "created.db");
        await using (var db = Context(migrated))
        {
            await db.Database.MigrateAsync();
        }

        await using (var db = Context(created))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var expected = await SqliteSchema.DescribeAsync(created);
        var actual = await SqliteSchema.DescribeAsync(migrated);
        Assert.True(expected.Count > 50, "the model should describe the whole schema");
        Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
    }

    [Fact]
    public async Task Migrating_twice_changes_nothing()
    {
        var path = Path.Combine(_directory, "twice.db");
        await using (var db = Context(path))
        {
            await db.Database.MigrateAsync();
        }

        var before = await SqliteSchema.DescribeAsync(path);
        await using (var db = Context(path))
        {
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        Assert.Equal(before, await SqliteSchema.DescribeAsync(path));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static PortalDbContext Context(string path) => new(new DbContextOptionsBuilder<PortalDbContext>()
        .UseSqlite($"Data Source={path};Pooling=False")
        .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
        .Options);
}
