using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.LegalHolds;

/// <summary>
/// A privacy officer's hold on a person's data (all of it, or some categories) because it is needed
/// for legal claims, an investigation or an authority's order: erasure and the retention sweep leave
/// held records alone while the hold applies. Never deleted; lifting sets <see cref="LiftedAt"/>.
/// </summary>
public sealed class LegalHold
{
    public const int ReasonLength = 4000;
    public const int CategoriesLength = 2000;

    public long Id { get; set; }

    public Guid SubjectId { get; set; }

    /// <summary>The held categories as <c>,controller/category,…,</c>; null holds everything of the person.</summary>
    public string? Categories { get; set; }

    /// <summary>Why, as the officer wrote it; shown to staff, and to the person only when not <see cref="Confidential"/>.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The person is told that records are held, but not why nor until when (e.g. an ongoing investigation).</summary>
    public bool Confidential { get; set; }

    /// <summary>The last day the hold applies; null until lifted.</summary>
    public DateOnly? EndsOn { get; set; }

    public DateTimeOffset PlacedAt { get; set; }

    public Guid PlacedBy { get; set; }

    public DateTimeOffset? LiftedAt { get; set; }

    public Guid? LiftedBy { get; set; }

    public IReadOnlyList<string> CategoryKeys => (Categories ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    public static string Key(string controllerId, string categoryId) => $"{controllerId}/{categoryId}";

    public bool AppliesOn(DateOnly day) => LiftedAt is null && (EndsOn is null || EndsOn.Value >= day);

    public bool Covers(string controllerId, string categoryId) =>
        Categories is null || Categories.Contains("," + Key(controllerId, categoryId) + ",", StringComparison.Ordinal);
}

internal sealed class LegalHoldConfiguration : IEntityTypeConfiguration<LegalHold>
{
    public void Configure(EntityTypeBuilder<LegalHold> builder)
    {
        builder.ToTable("LegalHolds");
        builder.Ignore(h => h.CategoryKeys);
        builder.Property(h => h.Categories).HasMaxLength(LegalHold.CategoriesLength);
        builder.Property(h => h.Reason).HasMaxLength(LegalHold.ReasonLength);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(h => h.SubjectId).OnDelete(DeleteBehavior.Cascade);
        // a person's holds; the sweep reads the few holds not lifted of everyone.
        builder.HasIndex(h => new { h.SubjectId, h.LiftedAt });
    }
}

/// <summary>The holds in force on a day, to check records against.</summary>
public sealed class ActiveHolds(IReadOnlyList<LegalHold> holds)
{
    public static readonly ActiveHolds None = new([]);

    public IReadOnlyList<LegalHold> Holds { get; } = holds;

    /// <summary>The hold covering the record, or null.</summary>
    public LegalHold? For(Guid subjectId, string controllerId, string categoryId) =>
        Holds.FirstOrDefault(h => h.SubjectId == subjectId && h.Covers(controllerId, categoryId));

    /// <summary>Reads the holds not lifted and drops those whose end has passed (a hold past its end no longer applies).</summary>
    public static async Task<ActiveHolds> LoadAsync(PortalDbContext db, Guid? subjectId, DateOnly today, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var query = db.Set<LegalHold>().AsNoTracking().Where(h => h.LiftedAt == null);
        if (subjectId is { } id)
        {
            query = query.Where(h => h.SubjectId == id);
        }

        var rows = await query.OrderBy(h => h.Id).ToListAsync(cancellationToken);
        return new ActiveHolds([.. rows.Where(h => h.AppliesOn(today))]);
    }
}
