using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;

namespace PrivacyPortal.Features.Oidc;

// The sources that serve other features' data to stores live here, in the provider, and read the
// owning features' tables and services. The dependency points one way only: Oidc knows Preferences,
// Cookies and Requests; none of them knows anything about OIDC, tokens or stores' API calls, so
// each can change its pages and commands without the provider in mind and the provider can be
// removed without touching them.

/// <summary>
/// A person's marketing permissions at one company as the preferences feature holds them: the
/// latest row per preference of the MarketingPreferences history, or the preference's default.
/// </summary>
internal sealed class MarketingPermissionsReader(PortalDbContext db, PolicyCatalog policy, ExistingCustomers customers, SuppressionList suppressions)
{
    public async Task<IReadOnlyDictionary<Guid, MarketingPermissions>> LoadAsync(IReadOnlyCollection<Guid> subjectIds, string controllerId, CancellationToken cancellationToken)
    {
        if (subjectIds.Count == 0)
        {
            return new Dictionary<Guid, MarketingPermissions>();
        }

        // A person has a few rows per company; the latest per preference is picked in memory (as
        // MarketingPreferenceState does) rather than with a correlated subquery.
        var ids = subjectIds.Distinct().ToList();
        var rows = await db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(r => ids.Contains(r.SubjectId) && r.ControllerId == controllerId)
            .Select(r => new { r.SubjectId, r.Kind, r.Target, r.Version, r.Enabled })
            .ToListAsync(cancellationToken);
        var latest = rows
            .GroupBy(r => (r.SubjectId, Key: new PreferenceKey(controllerId, r.Kind, r.Target)))
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.Version)!.Enabled);

        // Restricted data (Art. 18, or kept under a legal duty after an erasure) is used for nothing
        // but storage: a person with restricted records in a category that serves marketing may not be
        // marketed to at all, whatever their preferences say.
        var marketingCategories = MarketingCategories(controllerId);
        var restricted = marketingCategories.Count == 0
            ? []
            : (await db.HeldRecords.AsNoTracking()
                .Where(r => ids.Contains(r.SubjectId) && r.ControllerId == controllerId && marketingCategories.Contains(r.CategoryId) && r.RestrictedAt != null)
                .Select(r => r.SubjectId)
                .Distinct()
                .ToListAsync(cancellationToken)).ToHashSet();

        // An address an erased person had, brought back by a store: nothing is on that the person has
        // not switched on again themselves (the push also records the stops; this covers the rest).
        var suppressed = await suppressions.SuppressedAtAsync(ids, controllerId, cancellationToken);
        var customerOf = await customers.OfAsync(ids, cancellationToken);
        var keys = PreferenceKey.AllOf(policy, controllerId);
        var result = new Dictionary<Guid, MarketingPermissions>(ids.Count);
        foreach (var subjectId in ids)
        {
            var customer = customerOf.TryGetValue(subjectId, out var of) && of.Contains(controllerId);
            var current = keys.ToDictionary(k => k, k => !restricted.Contains(subjectId)
                && (latest.TryGetValue((subjectId, k), out var enabled) ? enabled : !suppressed.Contains(subjectId) && k.DefaultEnabled(customer)));
            result[subjectId] = new MarketingPermissions(
                Newsletter: current.Any(p => p.Key.Kind == PreferenceKind.Newsletter && p.Value),
                ObjectedChannels: [.. current.Where(p => p.Key.Kind == PreferenceKind.DirectMarketing && !p.Value).Select(p => p.Key.Target)],
                Consents: [.. current.Where(p => p.Key.Kind == PreferenceKind.Consent && p.Value).Select(p => p.Key.Target)]);
        }

        return result;
    }

    /// <summary>The controller's categories with a purpose its newsletter, direct marketing or marketing consents serve.</summary>
    private List<string> MarketingCategories(string controllerId)
    {
        if (policy.FindController(controllerId) is not { } controller)
        {
            return [];
        }

        var purposes = controller.Marketing.Consents.Select(c => c.Purpose)
            .Concat(controller.Marketing.Newsletter is { } newsletter ? [newsletter.Purpose] : [])
            .Concat(controller.Marketing.DirectMarketing is { } direct ? [direct.Purpose] : [])
            .ToHashSet(StringComparer.Ordinal);
        return [.. controller.Categories.Where(c => c.Purposes.Any(purposes.Contains)).Select(c => c.Id)];
    }
}

/// <summary>The <c>privacy</c> claim from the preferences and cookie-consent features' tables.</summary>
internal sealed class PreferencesPrivacyClaimsSource(
    PolicyCatalog policy,
    MarketingPermissionsReader marketing,
    StoreApi.ICookieConsentSource cookieConsent) : IPrivacyClaimsSource
{
    public async Task<PrivacyClaims> GetAsync(Guid subjectId, string controllerId, CancellationToken cancellationToken)
    {
        var choice = await cookieConsent.GetAsync(subjectId, cancellationToken);
        var permissions = await marketing.LoadAsync([subjectId], controllerId, cancellationToken);

        // Only the store's own company: what the person allows another company is not this store's business.
        return new PrivacyClaims(policy.Revision, choice, new Dictionary<string, MarketingPermissions>(StringComparer.Ordinal)
        {
            [controllerId] = permissions[subjectId],
        });
    }
}
