using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.PolicyChanges;

/// <summary>
/// A material policy revision as first loaded: the day people began to be told, against which the
/// notice period is checked on every later start.
/// </summary>
public sealed class PolicyRevisionAnnouncement
{
    public string Revision { get; set; } = "";

    public DateOnly EffectiveDate { get; set; }

    /// <summary>When an instance first started with the revision; the notices go out from then.</summary>
    public DateTimeOffset FirstLoadedAt { get; set; }
}

/// <summary>One person told of one revision. The key makes a second notice impossible, whichever instance tries.</summary>
public sealed class PolicyChangeNotice
{
    public string Revision { get; set; } = "";

    public Guid SubjectId { get; set; }

    /// <summary>When the mail was put in the outbox, in the same transaction as this row.</summary>
    public DateTimeOffset QueuedAt { get; set; }
}

internal sealed class PolicyRevisionAnnouncementConfiguration : IEntityTypeConfiguration<PolicyRevisionAnnouncement>
{
    public void Configure(EntityTypeBuilder<PolicyRevisionAnnouncement> builder)
    {
        builder.ToTable("PolicyRevisionAnnouncements");
        builder.HasKey(a => a.Revision);
        builder.Property(a => a.Revision).HasMaxLength(100);
    }
}

internal sealed class PolicyChangeNoticeConfiguration : IEntityTypeConfiguration<PolicyChangeNotice>
{
    public void Configure(EntityTypeBuilder<PolicyChangeNotice> builder)
    {
        builder.ToTable("PolicyChangeNotices");
        builder.HasKey(n => new { n.Revision, n.SubjectId });
        builder.Property(n => n.Revision).HasMaxLength(100);
        // An erased account takes its notice rows with it; the outbox keeps no link to them either.
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(n => n.SubjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
