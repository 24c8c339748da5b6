using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Preferences;

/// <summary>What a preference is about; together with the controller and the target it is the preference's key.</summary>
public enum PreferenceKind
{
    /// <summary>The controller's newsletter; the target is always <see cref="PreferenceKey.NewsletterTarget"/>.</summary>
    Newsletter = 0,

    /// <summary>Direct marketing to an existing customer on legitimate interest (Art. 21(3)); the target is the channel.</summary>
    DirectMarketing = 1,

    /// <summary>A consent of the policy (Art. 7); the target is the consent id.</summary>
    Consent = 2,
}

/// <summary>Who made a change. Only <see cref="Person"/> can ever switch anything on.</summary>
public enum PreferenceActorKind
{
    Person = 0,

    /// <summary>A mail client following an RFC 8058 one-click unsubscribe, or the button of the unsubscribe page, for the person the signed link names.</summary>
    UnsubscribeLink = 1,

    /// <summary>Customer service recording what a person told them (a stop only).</summary>
    Staff = 2,

    /// <summary>A store passing on a stop it received (a stop only; the store API comes later).</summary>
    Store = 3,

    /// <summary>
    /// An erasure the person asked for (the row's actor id is the request): it stops everything, and
    /// later stops the same for the address when a store brings it back (the suppression list).
    /// </summary>
    Erasure = 4,
}

/// <summary>Where the change came in.</summary>
public enum PreferenceChannel
{
    Portal = 0,
    UnsubscribePage = 1,
    OneClick = 2,
    StoreApi = 3,
    CustomerService = 4,

    /// <summary>Told to customer service by phone.</summary>
    Phone = 5,

    /// <summary>Told to the staff of a store, in the store.</summary>
    InStore = 6,

    /// <summary>Carrying out an erasure request.</summary>
    ErasureRequest = 7,
}

/// <summary>
/// One change of one marketing preference: a history row that is written once and never updated.
/// The current state of a preference is its row with the highest <see cref="Version"/>; its
/// <see cref="Id"/> only grows, so stores collect changes with it as a cursor.
/// </summary>
public sealed class MarketingPreferenceRecord
{
    public long Id { get; set; }

    public Guid SubjectId { get; set; }

    /// <summary>Controller id from the policy file.</summary>
    public string ControllerId { get; set; } = "";

    public PreferenceKind Kind { get; set; }

    /// <summary><c>newsletter</c>, a channel (<c>email</c>, <c>sms</c>, <c>phone</c>) or a consent id.</summary>
    public string Target { get; set; } = "";

    /// <summary>1 for the first row of a preference, then one more per change. Unique per preference, so two
    /// simultaneous clicks cannot both write a row.</summary>
    public int Version { get; set; }

    /// <summary>
    /// Subscribed, marketing allowed, consent given (true); or unsubscribed, objected, withdrawn (false).
    /// </summary>
    public bool Enabled { get; set; }

    public PreferenceActorKind Actor { get; set; }

    /// <summary>The member of staff, when <see cref="Actor"/> is staff; the erasure request, when it is an erasure; the person otherwise.</summary>
    public Guid? ActorId { get; set; }

    public PreferenceChannel Channel { get; set; }

    /// <summary>The store whose email carried the unsubscribe link, if any.</summary>
    public string? StoreId { get; set; }

    public string PolicyRevision { get; set; } = "";

    public DateTimeOffset OccurredAt { get; set; }
}

internal sealed class MarketingPreferenceRecordConfiguration : IEntityTypeConfiguration<MarketingPreferenceRecord>
{
    public void Configure(EntityTypeBuilder<MarketingPreferenceRecord> builder)
    {
        builder.ToTable("MarketingPreferences");
        builder.Property(r => r.ControllerId).HasMaxLength(64);
        builder.Property(r => r.Target).HasMaxLength(64);
        builder.Property(r => r.StoreId).HasMaxLength(64);
        builder.Property(r => r.PolicyRevision).HasMaxLength(64);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(r => r.SubjectId).OnDelete(DeleteBehavior.Cascade);
        // The latest row per preference is the current state; the unique version stops double writes.
        // Named by hand: the generated name is longer than PostgreSQL's 63-character identifiers.
        builder.HasIndex(r => new { r.SubjectId, r.ControllerId, r.Kind, r.Target, r.Version }).IsUnique()
            .HasDatabaseName("IX_MarketingPreferences_Subject_Controller_Kind_Target_Version");
        // Stores collect the changes of their controller after a cursor.
        builder.HasIndex(r => new { r.ControllerId, r.Id });
        // the privacy officer's report of unsubscribes per month and company.
        builder.HasIndex(r => new { r.Kind, r.Enabled, r.OccurredAt, r.ControllerId })
            .HasDatabaseName(ReportIndexName);
    }

    public const string ReportIndexName = "IX_MarketingPreferences_Report";
}
