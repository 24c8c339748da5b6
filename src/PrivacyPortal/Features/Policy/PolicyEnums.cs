namespace PrivacyPortal.Features.Policy;

// In the policy file every enum value is written in camelCase ("financialYear", "relationshipEnd").

public enum LegalBasisKind
{
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

public enum RetentionKind
{
    /// <summary>End of the financial year that contains the date, plus whole years.</summary>
    FinancialYear,

    /// <summary>The date plus whole years.</summary>
    Years,

    /// <summary>The date plus whole months, clamped to the end of a shorter month.</summary>
    Months,
}

/// <summary>
/// The event whose date a retention period counts from; the store that pushes a record sends that
/// date under the event's own field name (<see cref="RetentionAnchors.FieldName"/>).
/// </summary>
public enum RetentionAnchor
{
    /// <summary>The sale or invoice; financial-year rules count from the end of its financial year.</summary>
    Transaction,

    /// <summary>The end of the customer relationship; while it lasts the data has no end date.</summary>
    RelationshipEnd,

    LastActivity,
    LastContact,
    Collection,
    FinalResolution,

    /// <summary>The end of a complaint (warranty) period, which may lie years ahead of the sale.</summary>
    ComplaintPeriodEnd,

    /// <summary>The day a consent was withdrawn or an objection made.</summary>
    Withdrawal,
}

/// <summary>What each start event means to a store pushing a record, and to the date checks.</summary>
public static class RetentionAnchors
{
    /// <summary>The field of a pushed record that carries the date of the event (docs/oidc.md lists them).</summary>
    public static string FieldName(RetentionAnchor anchor) => anchor switch
    {
        RetentionAnchor.Transaction => "transactionDate",
        RetentionAnchor.RelationshipEnd => "relationshipEnd",
        RetentionAnchor.LastActivity => "lastActivity",
        RetentionAnchor.LastContact => "lastContact",
        RetentionAnchor.Collection => "collectedOn",
        RetentionAnchor.FinalResolution => "resolvedOn",
        RetentionAnchor.ComplaintPeriodEnd => "complaintPeriodEnd",
        RetentionAnchor.Withdrawal => "withdrawnOn",
        _ => throw new ArgumentOutOfRangeException(nameof(anchor), anchor, "Unknown retention start event."),
    };

    /// <summary>Only a complaint period ends in the future; every other event has happened when it is reported.</summary>
    public static bool MayLieAhead(RetentionAnchor anchor) => anchor == RetentionAnchor.ComplaintPeriodEnd;
}

/// <summary>
/// Why data of a category may be kept after the person asked for its erasure (GDPR Art. 17(3)).
/// Only the two grounds a company's customer data can have are offered.
/// </summary>
public enum ErasureGround
{
    /// <summary>Art. 17(3)(b): a legal obligation to keep it (e.g. bookkeeping records); only where the category's retention is a legal duty.</summary>
    LegalObligation,

    /// <summary>Art. 17(3)(e): the establishment, exercise or defence of legal claims.</summary>
    LegalClaims,
}

public enum TransferSafeguard
{
    /// <summary>Not a third-country transfer: the receiver is in the EU/EEA.</summary>
    WithinEea,
    AdequacyDecision,
    StandardContractualClauses,
    BindingCorporateRules,
}

public enum SubjectKind
{
    Consumer,
    B2b,
    Visitor,
}

public enum DataSubjectRight
{
    Access,
    Rectification,
    Erasure,
    Restriction,
    Objection,
    Portability,
    Complaint,
}

public enum MarketingChannel
{
    Email,
    Sms,
    Phone,
    Post,
}

/// <summary>How a recipient is told of a rectification, erasure or restriction (Art. 19).</summary>
public enum RecipientNotificationMethod
{
    /// <summary>A task the recipient's stores pull from the store API (only a company of the group).</summary>
    StoreApi,

    /// <summary>A task for staff, who tell the recipient at its contact and mark it done.</summary>
    Manual,
}
