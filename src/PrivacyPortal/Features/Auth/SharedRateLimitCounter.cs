using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// Fixed-window counters in the database (<see cref="RateLimitCounter"/>), shared by every instance.
/// One upsert per request: the database, not the instance, decides the count, so two instances
/// cannot each let through a full allowance.
/// </summary>
public sealed class SharedRateLimitCounter(IServiceScopeFactory scopes, TimeProvider time)
{
    /// <summary>Counts one request for <paramref name="partition"/> and says whether it is within <paramref name="limit"/>.</summary>
    public async Task<bool> TryTakeAsync(string policy, string partition, int limit, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(partition);
        var now = time.GetUtcNow();
        // Windows are aligned to the epoch, so every instance agrees on where one starts.
        var number = now.UtcTicks / window.Ticks;
        var endsAt = new DateTimeOffset((number + 1) * window.Ticks, TimeSpan.Zero).UtcTicks;
        var key = $"{policy}|{number}|{partition}";
        if (key.Length > RateLimitCounterConfiguration.MaxKeyLength)
        {
            key = key[..RateLimitCounterConfiguration.MaxKeyLength];
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        // The same statement on SQLite (3.35+) and PostgreSQL; the increment happens in the database.
        var counts = await db.Database.SqlQuery<int>($"""
            INSERT INTO "RateLimitCounters" ("Key", "Count", "WindowEndsAt") VALUES ({key}, 1, {endsAt})
            ON CONFLICT ("Key") DO UPDATE SET "Count" = "RateLimitCounters"."Count" + 1
            RETURNING "Count" AS "Value"
            """).ToListAsync(cancellationToken);
        var count = counts.Single();
        if (count == 1)
        {
            // Once per new window and partition is often enough to keep the table small.
            var nowTicks = now.UtcTicks;
            await db.Database.ExecuteSqlAsync($"""DELETE FROM "RateLimitCounters" WHERE "WindowEndsAt" < {nowTicks}""", cancellationToken);
        }

        return count <= limit;
    }
}
