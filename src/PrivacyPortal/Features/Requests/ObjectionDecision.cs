using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Staff's decision on one purpose of an Art. 21(1) objection: upheld (the purpose stops for the
/// person, for good) or refused with the compelling legitimate grounds written out. A purpose of an
/// open objection without a decision is restricted for that purpose meanwhile (Art. 18(1)(d)).
/// </summary>
public sealed class ObjectionDecision
{
    public long Id { get; set; }

    public Guid RequestId { get; set; }

    /// <summary>The person, so their stopped purposes are found without the request.</summary>
    public Guid SubjectId { get; set; }

    public string ControllerId { get; set; } = "";

    public string PurposeId { get; set; } = "";

    public bool Upheld { get; set; }

    /// <summary>Refused: the compelling legitimate grounds (Art. 21(1)), as sent to the person.</summary>
    public string? Grounds { get; set; }

    public DateTimeOffset DecidedAt { get; set; }

    public Guid DecidedBy { get; set; }

    public string Key => ObjectionPurposeOptions.Key(ControllerId, PurposeId);
}

internal sealed class ObjectionDecisionConfiguration : IEntityTypeConfiguration<ObjectionDecision>
{
    public void Configure(EntityTypeBuilder<ObjectionDecision> builder)
    {
        builder.ToTable("ObjectionDecisions");
        builder.Ignore(d => d.Key);
        builder.Property(d => d.ControllerId).HasMaxLength(64);
        builder.Property(d => d.PurposeId).HasMaxLength(64);
        builder.Property(d => d.Grounds).HasMaxLength(RequestLimits.TextLength);
        builder.HasOne<PrivacyRequest>().WithMany().HasForeignKey(d => d.RequestId).OnDelete(DeleteBehavior.Cascade);
        // one decision per purpose of a request; two staff deciding at once cannot both write one.
        builder.HasIndex(d => new { d.RequestId, d.ControllerId, d.PurposeId }).IsUnique();
        builder.HasIndex(d => new { d.SubjectId, d.Upheld });
    }
}
