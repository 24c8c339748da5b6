using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Preferences;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>
/// Marketing permissions and the suppression list from the preferences feature's change feed
/// (<see cref="PreferenceChangeFeed"/>): the MarketingPreferences history rows of the store's
/// company after the cursor. Row ids only grow, so the cursor is the last id a page covered.
/// </summary>
internal sealed class PreferenceSuppressionSource(PortalDbContext db, PreferenceChangeFeed feed, MarketingPermissionsReader permissions) : ISuppressionSource
{
    public async Task<ChangePage<MarketingPermissionEntry>> GetMarketingPermissionsAsync(string controllerId, string? since, int limit, CancellationToken cancellationToken)
    {
        var (rows, next, hasMore) = await ReadAsync(controllerId, since, limit, cancellationToken);

        // One entry per person with the permissions as they are now, at the time of their last change in the page.
        var latest = rows.GroupBy(r => r.SubjectId).Select(g => g.MaxBy(r => r.Id)!).OrderBy(r => r.Id).ToList();
        var current = await permissions.LoadAsync([.. latest.Select(r => r.SubjectId)], controllerId, cancellationToken);
        var emails = await EmailsAsync(latest.Select(r => r.SubjectId), cancellationToken);
        var items = latest
            .Select(r => new MarketingPermissionEntry(Sub(r.SubjectId), emails.GetValueOrDefault(r.SubjectId) ?? "", current[r.SubjectId], r.OccurredAt))
            .ToList();
        return new ChangePage<MarketingPermissionEntry>(items, next, hasMore);
    }

    public async Task<ChangePage<SuppressionEntry>> GetSuppressionsAsync(string controllerId, string? since, int limit, CancellationToken cancellationToken)
    {
        var (rows, next, hasMore) = await ReadAsync(controllerId, since, limit, cancellationToken);

        // Only stops; the cursor still moves past the rows that switched something on.
        var stops = rows.Where(r => !r.Enabled).ToList();
        var emails = await EmailsAsync(stops.Select(r => r.SubjectId), cancellationToken);
        var items = stops.Select(r => r.Kind switch
        {
            PreferenceKind.DirectMarketing => new SuppressionEntry(Sub(r.SubjectId), emails.GetValueOrDefault(r.SubjectId) ?? "", "objection", r.Target, null, r.OccurredAt),
            PreferenceKind.Consent => new SuppressionEntry(Sub(r.SubjectId), emails.GetValueOrDefault(r.SubjectId) ?? "", "withdrawal", null, r.Target, r.OccurredAt),
            _ => new SuppressionEntry(Sub(r.SubjectId), emails.GetValueOrDefault(r.SubjectId) ?? "", "unsubscribe", null, r.Target, r.OccurredAt),
        }).ToList();
        return new ChangePage<SuppressionEntry>(items, next, hasMore);
    }

    /// <summary>A cursor that is not one of ours (missing, garbled) starts from the beginning.</summary>
    internal static long ParseCursor(string? since) =>
        long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor) ? cursor : 0;

    private async Task<(IReadOnlyList<PreferenceChangeItem> Rows, string Next, bool HasMore)> ReadAsync(string controllerId, string? since, int limit, CancellationToken cancellationToken)
    {
        var cursor = ParseCursor(since);
        var take = Math.Clamp(limit, 1, PreferenceChangeFeed.MaxBatch);
        var rows = await feed.ReadAfterAsync(cursor, controllerId, take, cancellationToken);
        if (rows.Count == 0)
        {
            return (rows, cursor.ToString(CultureInfo.InvariantCulture), false);
        }

        var last = rows[^1].Id;
        var hasMore = rows.Count == take && (await feed.ReadAfterAsync(last, controllerId, 1, cancellationToken)).Count > 0;
        return (rows, last.ToString(CultureInfo.InvariantCulture), hasMore);
    }

    private async Task<Dictionary<Guid, string?>> EmailsAsync(IEnumerable<Guid> subjectIds, CancellationToken cancellationToken)
    {
        var ids = subjectIds.Distinct().ToList();
        return ids.Count == 0
            ? []
            : await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
    }

    private static string Sub(Guid subjectId) => subjectId.ToString();
}
