using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Preferences;

/// <summary>One change as a store collects it.</summary>
public sealed record PreferenceChangeItem(
    long Id,
    Guid SubjectId,
    string ControllerId,
    PreferenceKind Kind,
    string Target,
    bool Enabled,
    PreferenceActorKind Actor,
    PreferenceChannel Channel,
    string? StoreId,
    string PolicyRevision,
    DateTimeOffset OccurredAt);

/// <summary>
/// The changes stores collect so that no unsubscribe or objection is lost: the history rows
/// themselves, in id order, after the last id a store has seen. (The store API of the OIDC issue
/// serves this; ids only grow, so a store keeps the highest id it has as its cursor.)
/// </summary>
public sealed class PreferenceChangeFeed(PortalDbContext db)
{
    public const int MaxBatch = 500;

    public async Task<IReadOnlyList<PreferenceChangeItem>> ReadAfterAsync(long cursor, string? controllerId, int limit, CancellationToken cancellationToken)
    {
        var take = Math.Clamp(limit, 1, MaxBatch);
        var rows = db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.Id > cursor);
        if (controllerId is not null)
        {
            rows = rows.Where(r => r.ControllerId == controllerId);
        }

        return await rows.OrderBy(r => r.Id).Take(take)
            .Select(r => new PreferenceChangeItem(r.Id, r.SubjectId, r.ControllerId, r.Kind, r.Target, r.Enabled, r.Actor, r.Channel, r.StoreId, r.PolicyRevision, r.OccurredAt))
            .ToListAsync(cancellationToken);
    }
}
