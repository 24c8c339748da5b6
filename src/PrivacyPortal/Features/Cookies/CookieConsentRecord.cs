using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Cookies;

public enum CookieConsentAction
{
    AcceptAll = 0,
    RejectAll = 1,

    /// <summary>Categories ticked one by one.</summary>
    Choose = 2,

    /// <summary>On sign-in, this browser's choice became the account's.</summary>
    LinkedToAccount = 3,

    /// <summary>On sign-in on a browser without a choice, the account's choice was applied to it.</summary>
    AdoptedFromAccount = 4,

    /// <summary>The person withdrew a consent that stands for a cookie category (the personalised-advertising consent), and with it that category.</summary>
    WithdrawnWithConsent = 5,
}

/// <summary>
/// Proof of one cookie choice (policy §10): which categories, under which policy revision, when, for
/// which anonymous consent id (the value behind the strictly necessary consent cookie), and for
/// which account when the person was signed in. Written once, never updated.
/// </summary>
public sealed class CookieConsentRecord
{
    public long Id { get; set; }

    public Guid ConsentId { get; set; }

    public Guid? SubjectId { get; set; }

    /// <summary>The accepted category ids, space separated, strictly necessary included.</summary>
    public string Categories { get; set; } = "";

    public CookieConsentAction Action { get; set; }

    /// <summary>The browser sent <c>Sec-GPC: 1</c>.</summary>
    public bool GlobalPrivacyControl { get; set; }

    public string PolicyRevision { get; set; } = "";

    /// <summary>When the person made the choice; the banner returns a policy-set number of months after it.</summary>
    public DateTimeOffset GivenAt { get; set; }

    /// <summary>When this row was written (later than <see cref="GivenAt"/> for a choice carried to another browser).</summary>
    public DateTimeOffset RecordedAt { get; set; }

    public IReadOnlyList<string> CategoryIds => Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

internal sealed class CookieConsentRecordConfiguration : IEntityTypeConfiguration<CookieConsentRecord>
{
    public void Configure(EntityTypeBuilder<CookieConsentRecord> builder)
    {
        builder.ToTable("CookieConsents");
        builder.Ignore(r => r.CategoryIds);
        builder.Property(r => r.Categories).HasMaxLength(500);
        builder.Property(r => r.PolicyRevision).HasMaxLength(64);
        // An erased account leaves anonymous proof behind.
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(r => r.SubjectId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(r => new { r.ConsentId, r.Id });
        builder.HasIndex(r => new { r.SubjectId, r.Id });
        // the privacy officer's report of choices per month.
        builder.HasIndex(r => new { r.RecordedAt, r.Action });
    }
}
