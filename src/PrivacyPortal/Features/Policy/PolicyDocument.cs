namespace PrivacyPortal.Features.Policy;

// The records mirror the policy file one to one, so the file is the documentation of the model.
// Cross-references stay as ids (as in the file); PolicyCatalog resolves them.

/// <summary>The whole policy file: one group of controllers with their stores.</summary>
/// <param name="EffectiveDate">The day this revision takes effect; until then <see cref="Change"/> says which one is in force.</param>
/// <param name="ChangeNoticeDays">
/// How many days before a material change takes effect people with an account are told by mail (the
/// policy's own promise). Required when <see cref="Change"/> is material.
/// </param>
/// <param name="Change">What this revision changes from the one before it; null for a first revision or when nobody needs telling.</param>
public sealed record PolicyDocument(
    string Revision,
    DateOnly EffectiveDate,
    int? ChangeNoticeDays,
    PolicyChange? Change,
    IReadOnlyList<LegalBasis> LegalBases,
    IReadOnlyList<Purpose> Purposes,
    IReadOnlyList<RetentionRule> RetentionRules,
    IReadOnlyList<Recipient> Recipients,
    IReadOnlyList<DataTransfer> Transfers,
    IReadOnlyList<SupervisoryAuthority> Authorities,
    CookiePolicy Cookies,
    IReadOnlyList<DataController> Controllers,
    IReadOnlyList<Store> Stores,
    IReadOnlyList<PortalRecordRule> PortalRecords);

/// <summary>How a revision differs from the one before it.</summary>
/// <param name="Material">
/// The change matters to people (new purposes, recipients, longer retention…): everyone with an
/// account is mailed <see cref="PolicyDocument.ChangeNoticeDays"/> days before it takes effect.
/// </param>
/// <param name="Summary">What changes, as people are told in the mail and on my-data.</param>
/// <param name="PreviousRevision">The revision in force until this one takes effect.</param>
/// <param name="PreviousEffectiveDate">The day the previous revision took effect.</param>
public sealed record PolicyChange(bool Material, LocalizedText Summary, string PreviousRevision, DateOnly PreviousEffectiveDate);

public sealed record PolicyRevisionInfo(string Revision, DateOnly EffectiveDate);

/// <param name="Coming">Set while the loaded revision has not yet taken effect.</param>
public sealed record PolicyRevisions(PolicyRevisionInfo InForce, PolicyRevisionInfo? Coming, LocalizedText? ComingSummary);

/// <summary>A ground of GDPR Art. 6(1) as the company names it to people.</summary>
public sealed record LegalBasis(string Id, LegalBasisKind Kind, LocalizedText Name);

public sealed record Purpose(string Id, LocalizedText Name, IReadOnlyList<string> LegalBases);

/// <summary>How long a category is kept, and from which event the period counts.</summary>
/// <param name="Years">Set for <see cref="RetentionKind.FinancialYear"/> and <see cref="RetentionKind.Years"/>.</param>
/// <param name="Months">Set for <see cref="RetentionKind.Months"/>.</param>
/// <param name="Law">The statute that imposes the period, when one does (shown on erasure as the reason to keep).</param>
/// <param name="EndsOnWithdrawal">
/// The data is kept only while the person allows the controller's marketing ("until you unsubscribe
/// or withdraw your consent"): once none of it is left on, the records go, whatever the period says.
/// </param>
/// <param name="StartsUpToYearsAhead">
/// For an event that may lie ahead (a complaint period's end): how far ahead a store may date it.
/// Every other event has happened when it is reported, so its date may not be in the future.
/// </param>
/// <param name="ActiveWithinMonths">
/// For <see cref="RetentionAnchor.RelationshipEnd"/> rules: the relationship is still active while
/// the person's last order, sign-in or a store's "still active" lies within this many months.
/// </param>
public sealed record RetentionRule(
    string Id,
    RetentionKind Kind,
    RetentionAnchor CountsFrom,
    int? Years,
    int? Months,
    LocalizedText Description,
    LocalizedText? Law,
    bool EndsOnWithdrawal = false,
    int? StartsUpToYearsAhead = null,
    int? ActiveWithinMonths = null);

/// <param name="Notification">How the recipient is told of a rectification, erasure or restriction (Art. 19); null only in a file that fails validation.</param>
public sealed record Recipient(string Id, LocalizedText Name, LocalizedText Description, string? Controller, RecipientNotification? Notification);

/// <summary>
/// Art. 19: a recipient of the group with stores pulls a task from the store API; anyone else
/// (carriers, payment and analytics providers, the accountant) is told by staff at the contact
/// given, who then mark the manual task done.
/// </summary>
public sealed record RecipientNotification(RecipientNotificationMethod Method, string? Contact);

/// <param name="Country">ISO 3166-1 alpha-2 destination, when there is a single one.</param>
/// <param name="ToController">Set when the receiver is another controller of the same policy (intra-group).</param>
public sealed record DataTransfer(
    string Id,
    string? Country,
    string? ToController,
    bool IntraGroup,
    IReadOnlyList<TransferSafeguard> Safeguards,
    LocalizedText Description);

/// <param name="Address">Postal address as written by the authority; proper names are not translated.</param>
public sealed record SupervisoryAuthority(
    string Id,
    LocalizedText Name,
    string Country,
    string? Address,
    string? Email,
    Uri Web);

public sealed record CookiePolicy(
    int ReconsentAfterMonths,
    string LanguagePreferenceCategory,
    IReadOnlyList<CookieCategory> Categories);

/// <param name="ConsentRequired">False only for strictly necessary cookies, which are always on.</param>
/// <param name="Lifetime">The lifetime as told to people ("Session / up to 12 months").</param>
/// <param name="MaxLifetimeDays">The longest any cookie of the category may live; the portal enforces it.</param>
public sealed record CookieCategory(
    string Id,
    LocalizedText Name,
    LocalizedText Purpose,
    bool ConsentRequired,
    LocalizedText Lifetime,
    int MaxLifetimeDays);

/// <summary>A legal entity that decides on the processing (GDPR Art. 4(7)).</summary>
/// <param name="AutomatedDecisions">
/// Whether the controller makes automated decisions, including profiling, and if so the logic and
/// its consequences (Art. 15(1)(h), Art. 22), as people are told.
/// </param>
/// <param name="SecurityMeasures">
/// The general description of the technical and organisational security measures that the record of
/// processing activities gives (Art. 30(1)(g)).
/// </param>
public sealed record DataController(
    string Id,
    string LegalName,
    string RegistrationCode,
    string Country,
    string Address,
    string Email,
    string Phone,
    string PrivacyEmail,
    FinancialYearEnd FinancialYearEnd,
    string SupervisoryAuthority,
    IReadOnlyList<OtherAuthority> OtherAuthorities,
    LocalizedText AutomatedDecisions,
    RightsSettings Rights,
    MarketingSettings Marketing,
    IReadOnlyList<DataCategory> Categories,
    LocalizedText SecurityMeasures,
    string? TimeZone = null);

/// <summary>Another authority a person may complain to, and when (e.g. residence, or a transfer).</summary>
public sealed record OtherAuthority(string Authority, LocalizedText When);

/// <summary>Answer deadline of GDPR Art. 12(3) and the rights the controller offers.</summary>
public sealed record RightsSettings(
    IReadOnlyList<DataSubjectRight> Offered,
    int AnswerWithinMonths,
    int MaxExtensionMonths);

/// <param name="Newsletter">Null when the controller sends no newsletter.</param>
/// <param name="DirectMarketing">Marketing to existing customers on legitimate interest: people object per channel (Art. 21(3)).</param>
public sealed record MarketingSettings(
    Newsletter? Newsletter,
    DirectMarketing? DirectMarketing,
    IReadOnlyList<ConsentDefinition> Consents);

public sealed record Newsletter(string Purpose, LocalizedText Name, LocalizedText Description);

/// <param name="CustomerCategories">
/// Categories whose records make a person an existing customer of the controller (a sale, an
/// invoice). Only for them does direct marketing rest on legitimate interest and start switched on,
/// with an objection to stop it; for everyone else it is a consent, off until the person gives it.
/// </param>
public sealed record DirectMarketing(string Purpose, IReadOnlyList<MarketingChannel> Channels, IReadOnlyList<string> CustomerCategories);

/// <param name="CookieCategory">Set when giving this consent is the same act as accepting a cookie category.</param>
public sealed record ConsentDefinition(
    string Id,
    string Purpose,
    LocalizedText Title,
    LocalizedText Text,
    string? CookieCategory);

/// <param name="Source">Where the data comes from (Art. 15(1)(g)): from the person, from a store when they ordered, from their employer…</param>
/// <param name="LegalRetentionDuty">
/// A law obliges the controller to keep the data (Art. 17(3)(b)): on erasure it is restricted until
/// its retention end instead of erased.
/// </param>
/// <param name="Anonymisation">
/// Set when the category may be anonymised instead of deleted: on erasure (staff's choice) and when
/// its retention ends. Null: it is only ever deleted.
/// </param>
public sealed record DataCategory(
    string Id,
    LocalizedText Name,
    LocalizedText Description,
    LocalizedText Source,
    IReadOnlyList<SubjectKind> Subjects,
    IReadOnlyList<string> Purposes,
    string Retention,
    bool LegalRetentionDuty,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<string> Transfers,
    IReadOnlyList<string> CookieCategories,
    Anonymisation? Anonymisation = null,
    ErasureGround? ErasureGround = null)
{
    /// <summary>
    /// The Art. 17(3) ground the policy proposes for keeping this category after an erasure: its own
    /// <c>erasureGround</c>, else legal obligation where the retention is a legal duty and legal claims otherwise.
    /// </summary>
    public ErasureGround ProposedErasureGround =>
        ErasureGround ?? (LegalRetentionDuty ? Policy.ErasureGround.LegalObligation : Policy.ErasureGround.LegalClaims);

    /// <summary>Legal obligation (Art. 17(3)(b)) is a ground only where the retention rule is a legal duty.</summary>
    public bool Allows(ErasureGround ground) => ground != Policy.ErasureGround.LegalObligation || LegalRetentionDuty;
}

/// <summary>
/// What anonymising a record of a category keeps: only these top-level fields of its content, with
/// no link to the person (no account, summary, store key or exact date; the year is kept).
/// </summary>
public sealed record Anonymisation(IReadOnlyList<string> KeepFields);

public sealed record Store(string Id, string Controller, string Name, Uri Url);
