using Microsoft.EntityFrameworkCore;
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

    public void Dispose()
    {
        _migrated.Dispose();
        _created.Dispose();
    }
}
