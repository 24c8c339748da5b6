using Microsoft.EntityFrameworkCore;

namespace PrivacyPortal.Data;

/// <summary>
/// Some tables are read by id as a cursor: a store asks for everything after the last id it has
/// (preference changes, recipient tasks). A row must then never become visible after a row with a
/// higher id, or the store's cursor passes it for good. SQLite has one writer at a time, so ids
/// commit in order there. PostgreSQL hands out ids from a sequence as statements run and commits in
/// any order, so the writers of such a table queue on a transaction-scoped advisory lock, taken
/// first in their transaction (before any id, and before any row lock, so no deadlock can form
/// around it) and held until commit or rollback.
/// </summary>
public static class CursorFeedLock
{
    /// <summary>MarketingPreferences, read by the store API's permissions and suppressions ("PPPREFS" in ASCII).</summary>
    public const long PreferenceHistory = 0x50505052454653;

    /// <summary>RecipientTasks, read by the store API's task list ("PPRTASKS" in ASCII).</summary>
    public const long RecipientTasks = 0x50505254_41534B53;

    /// <summary>Waits for the feed's other writers; call inside the transaction that writes its rows.</summary>
    public static async Task QueueAsync(PortalDbContext db, long feed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The feed lock is held until commit, so it needs a transaction.");
        }

        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({feed})", cancellationToken);
        }
    }
}
