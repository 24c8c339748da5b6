using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Preferences;

/// <summary>A preference as it stands now: its latest row, or its default when it has none.</summary>
public sealed record CurrentPreference(PreferenceKey Key, bool Enabled, int Version, DateTimeOffset? Since, PreferenceActorKind? By)
{
    /// <summary>Direct marketing that the person objected to: only their fresh consent can switch it on again.</summary>
    public bool IsObjection => Key.Kind == PreferenceKind.DirectMarketing && !Enabled && Version > 0;
}

/// <summary>Reads the current state of a person's marketing preferences (the latest row per preference).</summary>
public sealed class MarketingPreferenceState(PortalDbContext db, PolicyCatalog policy)
{
    public async Task<IReadOnlyDictionary<PreferenceKey, CurrentPreference>> LoadAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        // A person has a few dozen rows at most; the latest per key is picked here rather than with a
        // correlated subquery that SQLite and PostgreSQL plan differently.
        var rows = await db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .Select(r => new { r.ControllerId, r.Kind, r.Target, r.Version, r.Enabled, r.OccurredAt, r.Actor })
            .ToListAsync(cancellationToken);
        var latest = rows
            .GroupBy(r => new PreferenceKey(r.ControllerId, r.Kind, r.Target))
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.Version)!);

        var result = new Dictionary<PreferenceKey, CurrentPreference>();
        foreach (var key in PreferenceKey.AllOf(policy))
        {
            result[key] = latest.TryGetValue(key, out var row)
                ? new CurrentPreference(key, row.Enabled, row.Version, row.OccurredAt, row.Actor)
                : new CurrentPreference(key, key.DefaultEnabled, 0, null, null);
        }

        return result;
    }

    public async Task<CurrentPreference> LoadOneAsync(Guid subjectId, PreferenceKey key, CancellationToken cancellationToken)
    {
        var row = await db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId && r.ControllerId == key.ControllerId && r.Kind == key.Kind && r.Target == key.Target)
            .OrderByDescending(r => r.Version)
            .Select(r => new { r.Version, r.Enabled, r.OccurredAt, r.Actor })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null
            ? new CurrentPreference(key, key.DefaultEnabled, 0, null, null)
            : new CurrentPreference(key, row.Enabled, row.Version, row.OccurredAt, row.Actor);
    }
}
