using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using PrivacyPortal.Data;

namespace PrivacyPortal.Testing.Database;

/// <summary>
/// A fresh, empty database in the test PostgreSQL server (<see cref="PostgresServer"/>), dropped on
/// dispose. One per test class (as a class fixture) or per app factory; two app instances that
/// share one are how the scale-out tests run several portals against one database.
/// </summary>
public sealed class PostgresTestDatabase : IDisposable, IAsyncDisposable
{
    private bool _dropped;

    public PostgresTestDatabase()
    {
        Name = "portal_test_" + Guid.NewGuid().ToString("N")[..16];
        Execute(PostgresServer.AdminConnectionString, $"CREATE DATABASE \"{Name}\"");
        ConnectionString = new NpgsqlConnectionStringBuilder(PostgresServer.AdminConnectionString)
        {
            Database = Name,
            // Enough for two portal instances plus the test's own connections under a burst.
            MaxPoolSize = 40,
        }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>An Npgsql connection string to this database.</summary>
    public string ConnectionString { get; }

    /// <summary>A context on this database outside any app, for arranging and asserting.</summary>
    public PortalDbContext NewContext() => new(new DbContextOptionsBuilder<PortalDbContext>()
        .UseNpgsql(ConnectionString)
        .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
        .Options);

    /// <summary>Applies the portal's migrations.</summary>
    public async Task MigrateAsync()
    {
        await using var db = NewContext();
        await db.Database.MigrateAsync();
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public void Dispose()
    {
        if (_dropped)
        {
            return;
        }

        _dropped = true;
        using (var probe = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(probe);
        }

        // FORCE ends connections an app instance under test may still hold (PostgreSQL 13+).
        Execute(PostgresServer.AdminConnectionString, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The only text spliced in is a database name this class generated.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }
}
