using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Art. 19 for a recipient outside the group's stores (a carrier, a payment or analytics provider,
/// the accountant): staff tell it at the contact the policy gives and mark the task done with a note.
/// </summary>
public sealed class ManualRecipientTask
{
    public long Id { get; set; }

    public Guid RequestId { get; set; }

    public Guid SubjectId { get; set; }

    /// <summary>Recipient id from the policy file (e.g. <c>logistics</c>).</summary>
    public string RecipientId { get; set; } = "";

    public RecipientTaskKind Kind { get; set; }

    /// <summary>The contact as the policy gave it when the task was made, so a later policy edit does not change whom staff were told to reach.</summary>
    public string Contact { get; set; } = "";

    /// <summary>The categories concerned, as <c>,controller/category,…,</c>.</summary>
    public string Categories { get; set; } = ",";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DoneAt { get; set; }

    public Guid? DoneBy { get; set; }

    public string? DoneNote { get; set; }

    public IReadOnlyList<string> CategoryKeys => PrivacyRequest.Split(Categories);
}

internal sealed class ManualRecipientTaskConfiguration : IEntityTypeConfiguration<ManualRecipientTask>
{
    public const int ContactLength = 500;
    public const int CategoriesLength = 2000;
    public const int NoteLength = 1000;

    public void Configure(EntityTypeBuilder<ManualRecipientTask> builder)
    {
        builder.ToTable("ManualRecipientTasks");
        builder.Ignore(t => t.CategoryKeys);
        builder.Property(t => t.RecipientId).HasMaxLength(64);
        builder.Property(t => t.Contact).HasMaxLength(ContactLength);
        builder.Property(t => t.Categories).HasMaxLength(CategoriesLength);
        builder.Property(t => t.DoneNote).HasMaxLength(NoteLength);
        builder.HasOne<PrivacyRequest>().WithMany().HasForeignKey(t => t.RequestId).OnDelete(DeleteBehavior.Cascade);
        // a request's tasks, and the queue's open ones.
        builder.HasIndex(t => new { t.RequestId, t.DoneAt });
    }
}
