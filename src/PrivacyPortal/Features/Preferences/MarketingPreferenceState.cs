using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Preferences;

/// <summary>A preference as it stands now: its latest row, or its default when it has none.</summary>
/// <param name="ExistingCustomer">The person is an existing customer of the key's controller (<see cref="ExistingCustomers"/>).</param>
public sealed record CurrentPreference(PreferenceKey Key, bool Enabled, int Version, DateTimeOffset? Since, PreferenceActorKind? By, bool ExistingCustomer)
{
    /// <summary>Direct marketing to a customer that the person objected to: only their fresh consent can switch it on again.</summary>
    public bool IsObjection => LegitimateInterest && !Enabled && Version > 0;

    /// <summary>Direct marketing that rests on legitimate interest (Art. 21(3)): on until the person objects.</summary>
    public bool LegitimateInterest => Key.Kind == PreferenceKind.DirectMarketing && ExistingCustomer;

    internal static CurrentPreference Default(PreferenceKey key, bool existingCustomer) =>
        new(key, key.DefaultEnabled(existingCustomer), 0, null, null, existingCustomer);
}

/// <summary>
/// Who is an existing customer of which controller: a person with records in one of the
/// controller's customer categories of the policy (an order, an invoice) that are in use. Records
/// kept restricted (after an erasure, or on an Art. 18 restriction) are only stored: they make no
/// one a customer. Read from the per-category counts the database keeps, less the restricted
/// records (few), so it costs two small queries.
/// </summary>
public sealed class ExistingCustomers(PortalDbContext db, PolicyCatalog policy)
{
    public async Task<IReadOnlySet<string>> ControllersOfAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        var all = await OfAsync([subjectId], cancellationToken);
        return all.TryGetValue(subjectId, out var controllers) ? controllers : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Per person, the controllers they are an existing customer of (people who are none are left out).</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlySet<string>>> OfAsync(IReadOnlyCollection<Guid> subjectIds, CancellationToken cancellationToken)
    {
        var ids = subjectIds.Distinct().ToList();
        var held = (await db.Set<HeldRecordCount>().AsNoTracking()
            .Where(c => ids.Contains(c.SubjectId) && c.Count > 0)
            .Select(c => new { c.SubjectId, c.ControllerId, c.CategoryId, c.Count })
            .ToListAsync(cancellationToken))
            .Where(h => policy.FindController(h.ControllerId)?.Marketing.DirectMarketing?.CustomerCategories.Contains(h.CategoryId, StringComparer.Ordinal) == true)
            .ToList();
        var withCustomerData = held.Select(h => h.SubjectId).Distinct().ToList();
        var restricted = withCustomerData.Count == 0
            ? []
            : (await db.HeldRecords.AsNoTracking()
                .Where(r => withCustomerData.Contains(r.SubjectId) && r.RestrictedAt != null)
                .GroupBy(r => new { r.SubjectId, r.ControllerId, r.CategoryId })
                .Select(g => new { g.Key.SubjectId, g.Key.ControllerId, g.Key.CategoryId, Count = g.Count() })
                .ToListAsync(cancellationToken))
                .ToDictionary(r => (r.SubjectId, r.ControllerId, r.CategoryId), r => r.Count);
        return held
            .Where(h => h.Count > restricted.GetValueOrDefault((h.SubjectId, h.ControllerId, h.CategoryId)))
            .GroupBy(h => h.SubjectId)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(h => h.ControllerId).ToHashSet(StringComparer.Ordinal));
    }
}

/// <summary>Reads the current state of a person's marketing preferences (the latest row per preference).</summary>
public sealed class MarketingPreferenceState(PortalDbContext db, PolicyCatalog policy, ExistingCustomers customers)
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
        var customerOf = await customers.ControllersOfAsync(subjectId, cancellationToken);

        var result = new Dictionary<PreferenceKey, CurrentPreference>();
        foreach (var key in PreferenceKey.AllOf(policy))
        {
            var customer = customerOf.Contains(key.ControllerId);
            result[key] = latest.TryGetValue(key, out var row)
                ? new CurrentPreference(key, row.Enabled, row.Version, row.OccurredAt, row.Actor, customer)
                : CurrentPreference.Default(key, customer);
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
        var customer = key.Kind == PreferenceKind.DirectMarketing
            && (await customers.ControllersOfAsync(subjectId, cancellationToken)).Contains(key.ControllerId);
        return row is null
            ? CurrentPreference.Default(key, customer)
            : new CurrentPreference(key, row.Enabled, row.Version, row.OccurredAt, row.Actor, customer);
    }
}
