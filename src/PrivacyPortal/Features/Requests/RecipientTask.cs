using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PrivacyPortal.Features.Requests;

public enum RecipientTaskKind
{
    Erasure = 0,
    Rectification = 1,
    Restriction = 2,

    /// <summary>Art. 21(1): restrict records for a purpose while an objection is considered, stop the purpose when upheld, lift the restriction when refused.</summary>
    Objection = 3,
}

/// <summary>
/// Art. 19: something a store (or other recipient) holding the data must do because of a request.
/// The store API delivers these to the store, which acknowledges them.
/// </summary>
public sealed class RecipientTask
{
    public long Id { get; set; }

    /// <summary>Store id from the policy file (e.g. <c>innore-no</c>).</summary>
    public string StoreId { get; set; } = "";

    /// <summary>The person; no foreign key, because the task outlives an erased account.</summary>
    public Guid SubjectId { get; set; }

    /// <summary>The request that caused the task, if any.</summary>
    public Guid? RequestId { get; set; }

    public RecipientTaskKind Kind { get; set; }

    /// <summary>JSON: which records (store keys, controller, category) and what to do with them.</summary>
    public string Payload { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }
}

internal sealed class RecipientTaskConfiguration : IEntityTypeConfiguration<RecipientTask>
{
    public void Configure(EntityTypeBuilder<RecipientTask> builder)
    {
        builder.ToTable("RecipientTasks");
        builder.Property(t => t.StoreId).HasMaxLength(64);
        // a store pulls its unacknowledged tasks in order.
        builder.HasIndex(t => new { t.StoreId, t.AcknowledgedAt, t.Id });
        builder.HasIndex(t => t.RequestId);
    }
}
