using System.Collections.Frozen;

namespace PrivacyPortal.Features.Policy;

/// <summary>
/// The validated policy, with lookups by id. One instance per process (a singleton): the file is
/// read once at start-up, and every reference in it is known to resolve.
/// </summary>
public sealed class PolicyCatalog
{
    private readonly FrozenDictionary<string, DataController> controllers;
    private readonly FrozenDictionary<(string Controller, string Category), DataCategory> categories;
    private readonly FrozenDictionary<(string Controller, string Consent), ConsentDefinition> consents;
    private readonly FrozenDictionary<string, Store> stores;
    private readonly FrozenDictionary<string, CookieCategory> cookieCategories;
    private readonly FrozenDictionary<string, RetentionRule> retentionRules;
    private readonly FrozenDictionary<string, Purpose> purposes;
    private readonly FrozenDictionary<string, LegalBasis> legalBases;
    private readonly FrozenDictionary<string, Recipient> recipients;
    private readonly FrozenDictionary<string, DataTransfer> transfers;
    private readonly FrozenDictionary<string, SupervisoryAuthority> authorities;

    // Resolved once: my-data asks for these per category on every visit.
    private readonly FrozenDictionary<DataCategory, IReadOnlyList<Purpose>> purposesOf;
    private readonly FrozenDictionary<Purpose, IReadOnlyList<LegalBasis>> legalBasesOf;
    private readonly FrozenDictionary<DataCategory, IReadOnlyList<Recipient>> recipientsOf;
    private readonly FrozenDictionary<DataCategory, IReadOnlyList<DataTransfer>> transfersOf;

    internal PolicyCatalog(PolicyDocument document, string file)
    {
        Document = document;
        File = file;
        controllers = document.Controllers.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        categories = document.Controllers
            .SelectMany(c => c.Categories.Select(k => KeyValuePair.Create((c.Id, k.Id), k)))
            .ToFrozenDictionary();
        consents = document.Controllers
            .SelectMany(c => c.Marketing.Consents.Select(k => KeyValuePair.Create((c.Id, k.Id), k)))
            .ToFrozenDictionary();
        stores = document.Stores.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal);
        cookieCategories = document.Cookies.Categories.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        retentionRules = document.RetentionRules.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);
        purposes = document.Purposes.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        legalBases = document.LegalBases.ToFrozenDictionary(b => b.Id, StringComparer.Ordinal);
        recipients = document.Recipients.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);
        transfers = document.Transfers.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        authorities = document.Authorities.ToFrozenDictionary(a => a.Id, StringComparer.Ordinal);

        // By reference: the policy's records compare by value, field by field, which is slower and not what is meant.
        var allCategories = document.Controllers.SelectMany(c => c.Categories).ToList();
        purposesOf = ByReference(allCategories, ResolvePurposes);
        legalBasesOf = ByReference(document.Purposes, ResolveLegalBases);
        recipientsOf = ByReference(allCategories, ResolveRecipients);
        transfersOf = ByReference(allCategories, ResolveTransfers);
    }

    public PolicyDocument Document { get; }

    /// <summary>The full path the policy was read from.</summary>
    public string File { get; }

    /// <summary>Changes whenever the policy does; cookie consent is asked again when it changes.</summary>
    public string Revision => Document.Revision;

    public DateOnly EffectiveDate => Document.EffectiveDate;

    public IReadOnlyList<DataController> Controllers => Document.Controllers;

    /// <summary>
    /// The revision in force on <paramref name="day"/> and, while this file's revision has not yet
    /// taken effect, this one as the coming revision with what it changes.
    /// A revision that names no previous one (a first policy) is the one in force, whatever its date.
    /// </summary>
    public PolicyRevisions RevisionsOn(DateOnly day) =>
        day >= EffectiveDate || Document.Change is not { } change
            ? new(new PolicyRevisionInfo(Revision, EffectiveDate), null, null)
            : new(
                new PolicyRevisionInfo(change.PreviousRevision, change.PreviousEffectiveDate),
                new PolicyRevisionInfo(Revision, EffectiveDate),
                change.Summary);

    public IReadOnlyList<Store> Stores => Document.Stores;

    public CookiePolicy Cookies => Document.Cookies;

    public IReadOnlyList<CookieCategory> CookieCategories => Document.Cookies.Categories;

    public DataController? FindController(string id) => controllers.GetValueOrDefault(id);

    public DataController GetController(string id) => FindController(id) ?? throw Missing("controller", id);

    public DataCategory? FindCategory(string controllerId, string categoryId) => categories.GetValueOrDefault((controllerId, categoryId));

    public DataCategory GetCategory(string controllerId, string categoryId) =>
        FindCategory(controllerId, categoryId) ?? throw Missing("category", $"{controllerId}/{categoryId}");

    public ConsentDefinition? FindConsent(string controllerId, string consentId) => consents.GetValueOrDefault((controllerId, consentId));

    public ConsentDefinition GetConsent(string controllerId, string consentId) =>
        FindConsent(controllerId, consentId) ?? throw Missing("consent", $"{controllerId}/{consentId}");

    public Store? FindStore(string id) => stores.GetValueOrDefault(id);

    public Store GetStore(string id) => FindStore(id) ?? throw Missing("store", id);

    public DataController ControllerOf(Store store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return GetController(store.Controller);
    }

    public IReadOnlyList<Store> StoresOf(string controllerId) => [.. Stores.Where(s => s.Controller == controllerId)];

    public CookieCategory? FindCookieCategory(string id) => cookieCategories.GetValueOrDefault(id);

    public CookieCategory GetCookieCategory(string id) => FindCookieCategory(id) ?? throw Missing("cookie category", id);

    public RetentionRule GetRetentionRule(string id) => retentionRules.GetValueOrDefault(id) ?? throw Missing("retention rule", id);

    public Purpose GetPurpose(string id) => purposes.GetValueOrDefault(id) ?? throw Missing("purpose", id);

    public LegalBasis GetLegalBasis(string id) => legalBases.GetValueOrDefault(id) ?? throw Missing("legal basis", id);

    public Recipient GetRecipient(string id) => recipients.GetValueOrDefault(id) ?? throw Missing("recipient", id);

    public DataTransfer GetTransfer(string id) => transfers.GetValueOrDefault(id) ?? throw Missing("transfer", id);

    public SupervisoryAuthority GetAuthority(string id) => authorities.GetValueOrDefault(id) ?? throw Missing("authority", id);

    public RetentionRule RetentionRuleOf(DataCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return GetRetentionRule(category.Retention);
    }

    public IReadOnlyList<Purpose> PurposesOf(DataCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return purposesOf.TryGetValue(category, out var resolved) ? resolved : ResolvePurposes(category);
    }

    public IReadOnlyList<LegalBasis> LegalBasesOf(Purpose purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        return legalBasesOf.TryGetValue(purpose, out var resolved) ? resolved : ResolveLegalBases(purpose);
    }

    public IReadOnlyList<Recipient> RecipientsOf(DataCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return recipientsOf.TryGetValue(category, out var resolved) ? resolved : ResolveRecipients(category);
    }

    public IReadOnlyList<DataTransfer> TransfersOf(DataCategory category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return transfersOf.TryGetValue(category, out var resolved) ? resolved : ResolveTransfers(category);
    }

    private static FrozenDictionary<TKey, TValue> ByReference<TKey, TValue>(IEnumerable<TKey> keys, Func<TKey, TValue> resolve)
        where TKey : class =>
        keys.ToFrozenDictionary(k => k, resolve, (IEqualityComparer<TKey>)ReferenceEqualityComparer.Instance);

    private IReadOnlyList<Purpose> ResolvePurposes(DataCategory category) => [.. category.Purposes.Select(GetPurpose)];

    private IReadOnlyList<LegalBasis> ResolveLegalBases(Purpose purpose) => [.. purpose.LegalBases.Select(GetLegalBasis)];

    private IReadOnlyList<Recipient> ResolveRecipients(DataCategory category) => [.. category.Recipients.Select(GetRecipient)];

    private IReadOnlyList<DataTransfer> ResolveTransfers(DataCategory category) => [.. category.Transfers.Select(GetTransfer)];

    public SupervisoryAuthority SupervisoryAuthorityOf(DataController controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        return GetAuthority(controller.SupervisoryAuthority);
    }

    /// <summary>When data of a category held by a controller may no longer be kept.</summary>
    /// <param name="countsFrom">The date of the event the category's rule counts from (see <see cref="RetentionRule.CountsFrom"/>).</param>
    public RetentionEnd CalculateRetention(string controllerId, string categoryId, DateOnly countsFrom)
    {
        var controller = GetController(controllerId);
        var category = GetCategory(controllerId, categoryId);
        return RetentionCalculator.Calculate(RetentionRuleOf(category), countsFrom, controller.FinancialYearEnd);
    }

    private KeyNotFoundException Missing(string what, string id) =>
        new($"The policy (revision {Revision}, {File}) has no {what} '{id}'.");
}
