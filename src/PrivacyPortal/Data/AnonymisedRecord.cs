using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PrivacyPortal.Data;

/// <summary>
/// What is left of a held record after anonymisation: the fields its category's policy keeps, and
/// nothing that links it to the person (no account id, summary, store key or exact date). It is
/// no longer personal data, so it is in no one's my-data or export and outlives the account.
/// </summary>
public sealed class AnonymisedRecord
{
    public long Id { get; set; }

    public string ControllerId { get; set; } = "";

    public string CategoryId { get; set; } = "";

    /// <summary>Only the fields the policy's <c>anonymisation.keepFields</c> names, as a JSON object.</summary>
    public string Content { get; set; } = "{}";

    /// <summary>The year the record's retention counted from; the day would help single a person out.</summary>
    public int Year { get; set; }

    public DateTimeOffset AnonymisedAt { get; set; }
}

internal sealed class AnonymisedRecordConfiguration : IEntityTypeConfiguration<AnonymisedRecord>
{
    public void Configure(EntityTypeBuilder<AnonymisedRecord> builder)
    {
        builder.ToTable("AnonymisedRecords");
        builder.Property(r => r.ControllerId).HasMaxLength(64);
        builder.Property(r => r.CategoryId).HasMaxLength(64);
        builder.HasIndex(r => new { r.ControllerId, r.CategoryId, r.Year });
    }
}
