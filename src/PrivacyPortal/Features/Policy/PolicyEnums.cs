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

/// <summary>The event whose date a retention period counts from; the record holding the data supplies it.</summary>
public enum RetentionAnchor
{
    Transaction,
    RelationshipEnd,
    LastActivity,
    LastContact,
    Collection,
    FinalResolution,
    ComplaintPeriodEnd,
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
