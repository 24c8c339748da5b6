using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PrivacyPortal.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><c>Sqlite</c> (embedded default) or <c>Postgres</c>.</summary>
    public string Provider { get; set; } = "Sqlite";
}

public static class DataRegistration
{
    public static WebApplicationBuilder AddPortalData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString("Portal");
        // Pooled: building a DbContext per request cost more than the queries of a page (dotnet-trace
        // of /my-data and of userinfo, docs/benchmarks.md).
        builder.Services.AddDbContextPool<PortalDbContext>(db =>
        {
            switch (options.Provider.ToUpperInvariant())
            {
                case "SQLITE":
                    db.UseSqlite(connectionString ?? DefaultSqlite(builder.Environment))
                        .AddInterceptors(SqliteBusyTimeoutInstance);
                    break;
                case "POSTGRES":
                case "POSTGRESQL":
                    db.UseNpgsql(PostgresConnectionString(connectionString ?? throw new InvalidOperationException(
                        "Database:Provider is Postgres but ConnectionStrings:Portal is not set.")));
                    break;
                default:
                    throw new InvalidOperationException(
                        $"Database:Provider '{options.Provider}' is not supported; use Sqlite or Postgres.");
            }

            // Migrations are written by hand, so there is no model snapshot to compare with;
            // MigrationsTests proves instead that the migrated schema equals the model.
            db.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
        });
        builder.AddPortalDataProtection();
        return builder;
    }

    private static readonly SqliteBusyTimeout SqliteBusyTimeoutInstance = new();

    /// <summary>
    /// The connection string with <c>No Reset On Close=true</c> unless it sets that option itself.
    /// Npgsql otherwise resets every connection returned to the pool, with seven statements
    /// (<c>SET SESSION AUTHORIZATION DEFAULT</c>, <c>RESET ALL</c>, <c>UNLISTEN *</c>, …) sent with
    /// its next command: on my-data, more statements than the page's own (docs/benchmarks.md).
    /// The portal leaves no session state on a pooled connection: the read-only session of "view as
    /// customer" is set back before the connection returns (<c>ReadOnlyConnection</c>), the start-up
    /// migrations' advisory lock is released when they end, and where either cannot be undone the
    /// pool is cleared, so that connection is closed instead of reused.
    /// </summary>
    internal static string PostgresConnectionString(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var setsReset = given.Keys.Cast<string>().Any(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), "NoResetOnClose", StringComparison.OrdinalIgnoreCase));
        return setsReset ? connectionString : connectionString.TrimEnd().TrimEnd(';') + ";No Reset On Close=true";
    }

    /// <summary>Applies the migrations and, where configured, seeds the demo people.</summary>
    public static async Task PreparePortalDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        if (db.Database.IsSqlite())
        {
            EnsureSqliteDirectory(db.Database.GetConnectionString());
        }

        var postgres = db.Database.IsNpgsql();
        if (postgres)
        {
            // Instances started together (a deploy, a scale-up) would otherwise apply the same
            // migration side by side: EF Core's own lock does not cover a whole run on PostgreSQL
            // (the scale-out tests caught "relation already exists"). A session-level advisory
            // lock on the connection the migrations use makes the others wait, then find nothing
            // to do; it also keeps two seeders from inserting the demo people twice.
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLockKey})");
        }

        try
        {
            await db.Database.MigrateAsync();
            if (db.Database.IsSqlite())
            {
                // WAL lets readers go on while the dispatcher or a sign-in writes.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }

            foreach (var seeder in scope.ServiceProvider.GetServices<IDatabaseSeeder>())
            {
                await seeder.SeedAsync(db, app.Lifetime.ApplicationStopping);
            }
        }
        finally
        {
            if (postgres)
            {
                await ReleaseMigrationLockAsync(db);
            }
        }
    }

    private static async Task ReleaseMigrationLockAsync(PortalDbContext db)
    {
        try
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLockKey})");
        }
        catch
        {
            // Still holding the lock: the pool must close this connection rather than reuse it
            // (it is not reset on return), or no other instance could ever migrate.
            Npgsql.NpgsqlConnection.ClearPool((Npgsql.NpgsqlConnection)db.Database.GetDbConnection());
            throw;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The advisory lock key for start-up migrations: any fixed number no other code uses ("PPMIGRATE" in ASCII, trimmed to 64 bits).</summary>
    private const long MigrationLockKey = 0x50504D4947524154;

    private static string DefaultSqlite(IWebHostEnvironment environment) =>
        $"Data Source={Path.Combine(environment.ContentRootPath, "App_Data", "portal.db")}";

    private static void EnsureSqliteDirectory(string? connectionString)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory) && builder.DataSource != ":memory:")
        {
            Directory.CreateDirectory(directory);
        }
    }
}

/// <summary>Runs after migrations at start-up; each feature that owns seed data registers one.</summary>
public interface IDatabaseSeeder
{
    Task SeedAsync(PortalDbContext db, CancellationToken cancellationToken);
}
