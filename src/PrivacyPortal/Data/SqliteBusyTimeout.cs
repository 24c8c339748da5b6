using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace PrivacyPortal.Data;

/// <summary>
/// SQLite has one writer at a time. Without a busy timeout, a write that finds the database locked
/// returns SQLITE_BUSY at once, and Microsoft.Data.Sqlite retries it after sleeping 150 ms: a page
/// whose audit line met another request's write took 150 ms or more for a lock held for well under
/// a millisecond (bench/reports.sh, docs/benchmarks.md). With <c>busy_timeout</c> set, SQLite itself
/// waits for the lock, polling in steps of 1-100 ms that start small, so a short wait stays short.
/// The pragma belongs to the connection, so it is set each time one is opened (a few microseconds).
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>A statement waits up to 5 s for the write lock; after that Microsoft.Data.Sqlite's own retries go on until the command timeout.</summary>
    private const string Pragma = "PRAGMA busy_timeout = 5000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
