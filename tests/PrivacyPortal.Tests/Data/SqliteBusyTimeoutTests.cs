using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Data;

/// <summary>
/// Every SQLite connection the portal opens waits for the write lock inside SQLite instead of
/// failing at once and being retried after Microsoft.Data.Sqlite's 150 ms sleep.
/// </summary>
public sealed class SqliteBusyTimeoutTests
{
    [Fact]
    public async Task The_portals_sqlite_connections_wait_for_the_write_lock_and_postgres_connections_are_left_alone()
    {
        using var host = new PortalHost();
        var (sqlite, timeout) = await host.DbAsync(async db =>
        {
            if (!db.Database.IsSqlite())
            {
                // The pragma is SQLite's: on PostgreSQL a connection opens and queries as before.
                return (false, await db.AuditEvents.CountAsync() >= 0 ? 0L : -1L);
            }

            await db.Database.OpenConnectionAsync();
            try
            {
                await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA busy_timeout;";
                return (true, (long)(await command.ExecuteScalarAsync())!);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

        Assert.Equal(sqlite ? 5000L : 0L, timeout);
    }
}
