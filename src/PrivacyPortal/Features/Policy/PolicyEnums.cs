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
