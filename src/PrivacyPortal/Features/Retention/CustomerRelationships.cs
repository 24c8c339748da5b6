using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Retention;

/// <summary>Whether a person's customer relationship with a controller lasts, and if not, the day it ended.</summary>
public sealed record RelationshipState(bool Active, DateOnly? EndedOn)
{
    public static RelationshipState Unknown { get; } = new(false, null);
}

/// <summary>
/// A record's retention end as a person is told it: a date, or none while the customer relationship
/// its rule counts from is still active ("until 3 years after our customer relationship ends").
/// </summary>
public sealed record RecordRetention(RetentionRule Rule, DateOnly? Until)
{
    public bool WhileRelationshipLasts => Until is null;
}

/// <summary>
/// Works out customer relationships for retention rules that count from their end. A relationship
/// is active while the latest sign of it lies within the rule's <c>activeWithinMonths</c>: a store's
/// word that it is active (a pushed record with <c>relationshipActive</c>), the person's last order
/// (the newest record of a category counting from a transaction) or last sign-in. A store's word
/// that it ended on a day closes it then, unless a later order or "still active" reopens it; a
/// sign-in alone does not (people sign in to the privacy portal to leave). Once no sign is recent,
/// it ended on the day of the last one.
/// </summary>
public sealed class CustomerRelationships(PortalDbContext db, PolicyCatalog policy)
{
    // Per category the person has records in (HeldRecordCounts), the newest date with and without
    // the store's "still active" word: two index seeks per category (the partial index on
    // RelationshipActive, and a backward scan of the person/category index that stops at the first
    // record without it). Grouping all of the person's records instead read every one of them on
    // each visit to my-data: 100,000 rows for a person with 100,000 records.
    private static readonly PerModelQuery<Func<PortalDbContext, Guid, IAsyncEnumerable<LatestInCategory>>> LatestPerCategoryQuery = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, Guid subjectId) => db.Set<HeldRecordCount>().AsNoTracking()
            .Where(c => c.SubjectId == subjectId && c.Count > 0)
            .Select(c => new LatestInCategory(
                c.ControllerId,
                c.CategoryId,
                db.HeldRecords
                    .Where(r => r.SubjectId == c.SubjectId && r.ControllerId == c.ControllerId && r.CategoryId == c.CategoryId && r.RelationshipActive)
                    .Max(r => (DateOnly?)r.RetentionFrom),
                db.HeldRecords
                    .Where(r => r.SubjectId == c.SubjectId && r.ControllerId == c.ControllerId && r.CategoryId == c.CategoryId && !r.RelationshipActive)
                    .Max(r => (DateOnly?)r.RetentionFrom)))));

    /// <summary>The person's relationship with every controller that has a rule counting from it.</summary>
    public async Task<IReadOnlyDictionary<string, RelationshipState>> OfPersonAsync(Guid subjectId, DateOnly today, CancellationToken cancellationToken)
    {
        if (!policy.Controllers.Any(c => RelationshipRule(c) is not null))
        {
            return new Dictionary<string, RelationshipState>(StringComparer.Ordinal);
        }

        var categories = new List<LatestInCategory>();
        var latest = db.Database.IsSqlite()
            ? db.Database.SqlQuery<LatestInCategory>(SqliteLatestPerCategory(subjectId)).AsAsyncEnumerable()
            : LatestPerCategoryQuery.For(db)(db, subjectId);
        await foreach (var category in latest.WithCancellation(cancellationToken))
        {
            categories.Add(category);
        }

        var signedIn = await db.Users.AsNoTracking().Where(u => u.Id == subjectId).Select(u => u.LastSignInAt).FirstOrDefaultAsync(cancellationToken);
        return OfPerson(subjectId, categories, signedIn, today);
    }

    /// <summary>
    /// The same as <see cref="OfPersonAsync"/> from values read already: per category the person has
    /// records in, the newest date with and without the store's "still active" word, and the last sign-in.
    /// </summary>
    public IReadOnlyDictionary<string, RelationshipState> OfPerson(Guid subjectId, IEnumerable<LatestInCategory> categories, DateTimeOffset? lastSignIn, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(categories);
        var result = new Dictionary<string, RelationshipState>(StringComparer.Ordinal);
        var controllers = policy.Controllers.Where(c => RelationshipRule(c) is not null).ToList();
        if (controllers.Count == 0)
        {
            return result;
        }

        var signs = new List<Sign>();
        foreach (var category in categories)
        {
            if (category.SaidActive is { } active)
            {
                signs.Add(new Sign(subjectId, category.ControllerId, category.CategoryId, true, active));
            }

            if (category.Other is { } other)
            {
                signs.Add(new Sign(subjectId, category.ControllerId, category.CategoryId, false, other));
            }
        }

        foreach (var controller in controllers)
        {
            result[controller.Id] = Decide(controller, signs.Where(s => s.ControllerId == controller.Id), lastSignIn, today);
        }

        return result;
    }

    /// <summary>The relationship of everyone holding data of the controller under a rule counting from its end.</summary>
    public async Task<IReadOnlyDictionary<Guid, RelationshipState>> OfControllerAsync(DataController controller, DateOnly today, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(controller);
        if (RelationshipRule(controller) is null)
        {
            return new Dictionary<Guid, RelationshipState>();
        }

        var relationshipCategories = CategoriesCountingFrom(controller, RetentionAnchor.RelationshipEnd);
        var signCategories = relationshipCategories.Concat(CategoriesCountingFrom(controller, RetentionAnchor.Transaction)).ToList();
        var people = db.HeldRecords.Where(r => r.ControllerId == controller.Id && relationshipCategories.Contains(r.CategoryId)).Select(r => r.SubjectId);
        var signs = await db.HeldRecords.AsNoTracking()
            .Where(r => r.ControllerId == controller.Id && signCategories.Contains(r.CategoryId) && people.Contains(r.SubjectId))
            .GroupBy(r => new { r.SubjectId, r.CategoryId, r.RelationshipActive })
            .Select(g => new Sign(g.Key.SubjectId, controller.Id, g.Key.CategoryId, g.Key.RelationshipActive, g.Max(r => r.RetentionFrom)))
            .ToListAsync(cancellationToken);
        var subjects = signs.Select(s => s.SubjectId).Distinct().ToList();
        var signIns = new Dictionary<Guid, DateTimeOffset?>();
        foreach (var batch in subjects.Chunk(500))
        {
            foreach (var row in await db.Users.AsNoTracking().Where(u => batch.Contains(u.Id)).Select(u => new { u.Id, u.LastSignInAt }).ToListAsync(cancellationToken))
            {
                signIns[row.Id] = row.LastSignInAt;
            }
        }

        return signs.GroupBy(s => s.SubjectId)
            .ToDictionary(g => g.Key, g => Decide(controller, g, signIns.GetValueOrDefault(g.Key), today));
    }

    /// <summary>The record's retention end, or none while the relationship its rule counts from lasts.</summary>
    public RecordRetention RetentionOf(string controllerId, string categoryId, DateOnly retentionFrom, RelationshipState? relationship)
    {
        var rule = policy.RetentionRuleOf(policy.GetCategory(controllerId, categoryId));
        if (rule.CountsFrom != RetentionAnchor.RelationshipEnd || relationship is null)
        {
            return new RecordRetention(rule, policy.CalculateRetention(controllerId, categoryId, retentionFrom).Until);
        }

        return relationship.Active
            ? new RecordRetention(rule, null)
            : new RecordRetention(rule, policy.CalculateRetention(controllerId, categoryId, relationship.EndedOn ?? retentionFrom).Until);
    }

    private RelationshipState Decide(DataController controller, IEnumerable<Sign> signs, DateTimeOffset? lastSignIn, DateOnly today)
    {
        var rule = RelationshipRule(controller)!;
        DateOnly? saidActive = null, saidEnded = null, lastOrder = null;
        foreach (var sign in signs)
        {
            var anchor = policy.FindCategory(controller.Id, sign.CategoryId) is { } category ? policy.RetentionRuleOf(category).CountsFrom : (RetentionAnchor?)null;
            if (anchor == RetentionAnchor.Transaction)
            {
                lastOrder = Latest(lastOrder, sign.Latest);
            }
            else if (anchor == RetentionAnchor.RelationshipEnd)
            {
                if (sign.Active)
                {
                    saidActive = Latest(saidActive, sign.Latest);
                }
                else
                {
                    saidEnded = Latest(saidEnded, sign.Latest);
                }
            }
        }

        var business = Latest(saidActive, lastOrder);
        if (saidEnded is { } ended && !(business > ended))
        {
            return new RelationshipState(false, ended);
        }

        var latest = Latest(business, lastSignIn is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : null);
        if (latest is null)
        {
            return RelationshipState.Unknown;
        }

        return latest >= today.AddMonths(-rule.ActiveWithinMonths!.Value)
            ? new RelationshipState(true, null)
            : new RelationshipState(false, latest);
    }

    private RetentionRule? RelationshipRule(DataController controller) =>
        controller.Categories.Select(policy.RetentionRuleOf).FirstOrDefault(r => r.CountsFrom == RetentionAnchor.RelationshipEnd);

    private List<string> CategoriesCountingFrom(DataController controller, RetentionAnchor anchor) =>
        [.. controller.Categories.Where(c => policy.RetentionRuleOf(c).CountsFrom == anchor).Select(c => c.Id)];

    private static DateOnly? Latest(DateOnly? a, DateOnly? b) => a is null ? b : b is null ? a : (a > b ? a : b);

    // The same on SQLite, which would read the "still active" maximum from the person/category
    // index, checking every record of the category in the table, rather than from the partial index
    // (EXPLAIN QUERY PLAN, with and without ANALYZE): named here.
    private static FormattableString SqliteLatestPerCategory(Guid subjectId) => $"""
        SELECT c."ControllerId", c."CategoryId",
               (SELECT max(a."RetentionFrom") FROM "HeldRecords" AS a INDEXED BY "IX_HeldRecords_RelationshipActive"
                WHERE a."SubjectId" = c."SubjectId" AND a."ControllerId" = c."ControllerId" AND a."CategoryId" = c."CategoryId" AND a."RelationshipActive") AS "SaidActive",
               (SELECT max(o."RetentionFrom") FROM "HeldRecords" AS o
                WHERE o."SubjectId" = c."SubjectId" AND o."ControllerId" = c."ControllerId" AND o."CategoryId" = c."CategoryId" AND NOT o."RelationshipActive") AS "Other"
        FROM "HeldRecordCounts" AS c
        WHERE c."SubjectId" = {subjectId} AND c."Count" > 0
        """;

    /// <summary>The newest date of the person's records of one category with the store's "still active" word, and without it.</summary>
    public sealed record LatestInCategory(string ControllerId, string CategoryId, DateOnly? SaidActive, DateOnly? Other);

    private sealed record Sign(Guid SubjectId, string ControllerId, string CategoryId, bool Active, DateOnly Latest);
}
