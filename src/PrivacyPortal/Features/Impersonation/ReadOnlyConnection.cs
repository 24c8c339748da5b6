using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// The read-only rule of "view as customer", held by the database itself: for the whole request the
/// request's <see cref="PortalDbContext"/> stays on one open connection that the database keeps
/// read-only (SQLite <c>PRAGMA query_only</c>, PostgreSQL's session default of read-only
/// transactions), so a write on any path (SaveChanges, ExecuteUpdate, raw SQL, a raw ADO.NET
/// command on <c>GetDbConnection()</c>) fails there. The read-only state never reaches another
/// request: on SQLite the connection is opened outside the pool (a pooled handle would keep the
/// pragma), on PostgreSQL it is set back before the connection returns to the pool. That is the
/// only thing that sets it back: the portal turns Npgsql's reset on return off unless the
/// connection string asks for it (<c>DataRegistration.PostgresConnectionString</c>), so when setting
/// it back fails, the pool is cleared and the connection closed rather than reused.
/// </summary>
internal static class ReadOnlyConnection
{
    private const int SqliteReadOnly = 8;

    /// <summary>Switches the context's connection to read-only until the returned scope is disposed.</summary>
    public static async Task<IAsyncDisposable> EnterAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var database = db.Database;
        var sqlite = database.IsSqlite();
        var original = database.GetConnectionString();
        await CloseAsync(db);
        if (sqlite)
        {
            database.SetConnectionString(new SqliteConnectionStringBuilder(original) { Pooling = false }.ConnectionString);
        }

        var scope = new Scope(db, sqlite ? original : null);
        try
        {
            await database.OpenConnectionAsync(cancellationToken);
            await database.ExecuteSqlRawAsync(sqlite ? "PRAGMA query_only = ON" : "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", cancellationToken);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }

        return scope;
    }

    /// <summary>True when the exception (or one inside it) is the database refusing a write on a read-only connection.</summary>
    public static bool IsRefusedWrite(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteReadOnly }
                || e is PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Closes the connection however often the request's code opened it, so the connection string can change.</summary>
    private static async Task CloseAsync(PortalDbContext db)
    {
        await db.Database.CloseConnectionAsync();
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Closed)
        {
            await connection.CloseAsync();
        }
    }

    private sealed class Scope(PortalDbContext db, string? sqliteConnectionString) : IAsyncDisposable
    {
        private bool disposed;

        public async ValueTask DisposeAsync()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            var database = db.Database;
            // Nothing a refused handler queued may be saved by whoever uses this pooled context next.
            db.ChangeTracker.Clear();
            if (database.CurrentTransaction is { } transaction)
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }

            if (sqliteConnectionString is null && database.GetDbConnection() is NpgsqlConnection { State: System.Data.ConnectionState.Open } connection)
            {
                try
                {
                    await database.ExecuteSqlRawAsync("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", CancellationToken.None);
                }
                catch
                {
                    // Still read-only, and the portal's connections are not reset on return
                    // (DataRegistration): the pool closes this one instead of handing it out again.
                    NpgsqlConnection.ClearPool(connection);
                    await CloseAsync(db);
                    throw;
                }
            }

            await CloseAsync(db);
            if (sqliteConnectionString is not null)
            {
                database.SetConnectionString(sqliteConnectionString);
            }
        }
    }
}
