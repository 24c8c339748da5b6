using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Database;

namespace PrivacyPortal.Tests.Data;

/// <summary>
/// The same proof as <see cref="MigrationsTests"/> on PostgreSQL: the hand-written migrations, every
/// one of them, give exactly the schema the model describes there too (the provider picks its own
/// column types, identity columns and constraint names, so SQLite passing proves nothing here).
/// </summary>
public sealed class PostgresMigrationsTests : IDisposable
{
    private readonly PostgresTestDatabase _migrated = new();
    private readonly PostgresTestDatabase _created = new();

    [Fact]
    public async Task The_migrated_schema_equals_the_model_on_PostgreSQL()
    {
        await _migrated.MigrateAsync();
        await using (var db = _created.NewContext())
        {
            await db.Database.EnsureCreatedAsync();
        }

        var expected = await PostgresSchema.DescribeAsync(_created.ConnectionString);
        var actual = await PostgresSchema.DescribeAsync(_migrated.ConnectionString);
        Assert.True(expected.Count > 80, "the model should describe the whole schema");
        Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
    }

    [Fact]
    public async Task Every_migration_is_applied_and_migrating_twice_changes_nothing()
    {
        await _migrated.MigrateAsync();
        var before = await PostgresSchema.DescribeAsync(_migrated.ConnectionString);
        await using (var db = _migrated.NewContext())
        {
            await db.Database.MigrateAsync();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        }

        Assert.Equal(before, await PostgresSchema.DescribeAsync(_migrated.ConnectionString));
    }

    [Fact]
    public void No_name_in_the_model_is_longer_than_PostgreSQL_keeps()
    {
        // PostgreSQL silently cuts identifiers at 63 bytes while EF names the object in its model
        // differently, so a long name breaks the next migration that refers to it. The SQLite model
        // has the names as written; checking it catches a long name before a PostgreSQL run does.
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options);
        var names = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            names.Add(table.Name);
            names.AddRange(entity.GetProperties().Select(p => p.GetColumnName(table)!));
            names.AddRange(entity.GetKeys().Select(k => k.GetName(table)!));
            names.AddRange(entity.GetForeignKeys().Select(f => f.GetConstraintName(table, StoreObjectIdentifier.Table(f.PrincipalEntityType.GetTableName()!, f.PrincipalEntityType.GetSchema()))!));
            names.AddRange(entity.GetIndexes().Select(i => i.GetDatabaseName(table)!));
        }

        Assert.Empty(names.Where(n => System.Text.Encoding.UTF8.GetByteCount(n) > 63).Distinct());
    }

    public void Dispose()
    {
        _migrated.Dispose();
        _created.Dispose();
    }
}
