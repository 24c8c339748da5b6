using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Requests;

/// <summary>A purpose a person may object to at one company (Art. 21(1)), keyed <c>controller/purpose</c>.</summary>
public sealed record ObjectionPurpose(string ControllerId, Purpose Purpose)
{
    public string Key => ObjectionPurposeOptions.Key(ControllerId, Purpose.Id);
}

/// <summary>
/// What an Art. 21(1) objection can name: per company, the purposes of its categories that rest on
/// legitimate interests, in policy order. Direct marketing is left out: objecting to it (Art. 21(3))
/// is absolute and takes effect at once on the preferences page, not as a request staff weigh.
/// </summary>
public static class ObjectionPurposeOptions
{
    public const int StoredLength = 2000;

    public static string Key(string controllerId, string purposeId) => $"{controllerId}/{purposeId}";

    public static IReadOnlyList<ObjectionPurpose> For(PolicyCatalog policy, string controllerId)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.FindController(controllerId) is not { } controller)
        {
            return [];
        }

        var directMarketing = new[] { controller.Marketing.Newsletter?.Purpose, controller.Marketing.DirectMarketing?.Purpose };
        var used = controller.Categories.SelectMany(c => c.Purposes).ToHashSet(StringComparer.Ordinal);
        return [.. policy.Document.Purposes
            .Where(p => used.Contains(p.Id) && !directMarketing.Contains(p.Id))
            .Where(p => policy.LegalBasesOf(p).Any(b => b.Kind == LegalBasisKind.LegitimateInterests))
            .Select(p => new ObjectionPurpose(controller.Id, p))];
    }

    /// <summary>The chosen purpose keys that are offered for the given companies, or null if any is not.</summary>
    public static IReadOnlyList<string>? Validate(PolicyCatalog policy, IEnumerable<string> controllerIds, IEnumerable<string?> chosen)
    {
        var offered = controllerIds.SelectMany(c => For(policy, c)).Select(p => p.Key).ToList();
        var keys = chosen.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => k!).Distinct(StringComparer.Ordinal).ToList();
        return keys.All(offered.Contains) ? [.. offered.Where(keys.Contains)] : null;
    }

    /// <summary>"INNORE AS: Customer support and handling complaints" for a stored key.</summary>
    public static string Describe(PolicyCatalog policy, string key, System.Globalization.CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(key);
        return key.Split('/', 2) is [var controllerId, var purposeId]
            && policy.FindController(controllerId) is { } controller
            && policy.Document.Purposes.FirstOrDefault(p => p.Id == purposeId) is { } purpose
            ? $"{controller.LegalName}: {purpose.Name.Get(culture)}"
            : key;
    }
}
