namespace PrivacyPortal.Data;

/// <summary>One piece of personal data a controller holds on a person, in one category of the policy.</summary>
public sealed class HeldRecord
{
    public long Id { get; set; }

    public Guid SubjectId { get; set; }

    /// <summary>Controller id from the policy file (e.g. <c>innore-no</c>).</summary>
    public string ControllerId { get; set; } = "";

    /// <summary>Category id from the policy file (e.g. <c>orders</c>).</summary>
    public string CategoryId { get; set; } = "";

    /// <summary>Store that pushed the record, if any; used for idempotent upserts and Art. 19 tasks.</summary>
    public string? SourceStoreId { get; set; }

    /// <summary>The store's own key of the record, unique per store, so a push is an upsert.</summary>
    public string? ExternalId { get; set; }

    /// <summary>A short human-readable line (e.g. "Order 2024-118: sliding door").</summary>
    public string Summary { get; set; } = "";

    /// <summary>The record's content as a JSON object of field name to value.</summary>
    public string Content { get; set; } = "{}";

    /// <summary>
    /// The date of the event the category's retention rule counts from (transaction, last activity,
    /// resolution…). For a rule that counts from the end of the customer relationship: the day the
    /// store said it ended, or, with <see cref="RelationshipActive"/>, the day it said it was still active.
    /// </summary>
    public DateOnly RetentionFrom { get; set; }

    /// <summary>The store said the customer relationship was still active on <see cref="RetentionFrom"/>.</summary>
    public bool RelationshipActive { get; set; }

    /// <summary>Set when processing is restricted (Art. 18, or kept under a legal duty after an erasure request).</summary>
    public DateTimeOffset? RestrictedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
