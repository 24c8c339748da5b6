using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Retention;

namespace PrivacyPortal.Features.Requests;

public enum RecordOutcome
{
    /// <summary>Deleted now.</summary>
    Erase = 0,

    /// <summary>Kept, restricted, until the retention end under a legal duty (Art. 17(3)(b)).</summary>
    KeepRestricted = 1,

    /// <summary>The policy does not know the category: kept, restricted, until staff decide.</summary>
    KeepForReview = 2,

    /// <summary>Restricted on request (Art. 18), without an end date.</summary>
    Restricted = 3,

    /// <summary>Anonymised now by the category's policy rule (staff's choice instead of erasing): no longer linked to the person.</summary>
    Anonymise = 4,

    /// <summary>Kept, restricted, under a legal hold placed by the privacy officer, whatever its retention says.</summary>
    Held = 5,
}

/// <summary>One line of an erasure plan or outcome: what happens to a category's records at one controller.</summary>
/// <param name="Ground">For records kept on staff's decision: the Art. 17(3) ground (null in outcomes saved before grounds were recorded).</param>
public sealed record ErasurePlanLine(
    string ControllerId,
    string CategoryId,
    RecordOutcome Outcome,
    int Records,
    DateOnly? KeepUntil,
    string? RetentionRuleId,
    string? HoldReason = null,
    ErasureGround? Ground = null);

/// <summary>The facts of a held record the plan needs.</summary>
public sealed record PlanRecord(long Id, string ControllerId, string CategoryId, DateOnly RetentionFrom);

public sealed record RecordDecision(PlanRecord Record, RecordOutcome Outcome, DateOnly? KeepUntil, string? RetentionRuleId, string? HoldReason = null, ErasureGround? Ground = null);

/// <summary>
/// Decides, from the policy, what an erasure proposes for each record: held records are kept under
/// their legal hold; data under a legal retention duty whose period has not ended is kept and
/// restricted until its end, on the category's proposed Art. 17(3) ground; the rest is erased.
/// Staff confirm or change the ground per category.
/// </summary>
public sealed class ErasurePlanner(PolicyCatalog policy, PortalDbContext db, CustomerRelationships relationships)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public RecordDecision Decide(PlanRecord record, DateOnly today, LegalHold? hold = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (hold is not null)
        {
            // A confidential hold tells the person that the records are held, but neither why nor until when.
            return hold.Confidential
                ? new RecordDecision(record, RecordOutcome.Held, null, null)
                : new RecordDecision(record, RecordOutcome.Held, hold.EndsOn, null, hold.Reason);
        }

        var category = policy.FindCategory(record.ControllerId, record.CategoryId);
        if (category is null)
        {
            return new RecordDecision(record, RecordOutcome.KeepForReview, null, null);
        }

        var end = policy.CalculateRetention(record.ControllerId, record.CategoryId, record.RetentionFrom);
        return category.LegalRetentionDuty && !end.HasEnded(today)
            ? new RecordDecision(record, RecordOutcome.KeepRestricted, end.Until, category.Retention, Ground: category.ProposedErasureGround)
            : new RecordDecision(record, RecordOutcome.Erase, null, null);
    }

    /// <summary>
    /// Staff's decision to keep a record restricted until its retention end on an Art. 17(3) ground;
    /// a record whose period has already ended has nothing left to keep it for and is erased.
    /// </summary>
    public RecordDecision KeepUntilRetentionEnd(PlanRecord record, ErasureGround ground, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(record);
        var category = policy.FindCategory(record.ControllerId, record.CategoryId);
        if (category is null)
        {
            return new RecordDecision(record, RecordOutcome.KeepForReview, null, null);
        }

        var end = policy.CalculateRetention(record.ControllerId, record.CategoryId, record.RetentionFrom);
        return end.HasEnded(today)
            ? new RecordDecision(record, RecordOutcome.Erase, null, null)
            : new RecordDecision(record, RecordOutcome.KeepRestricted, end.Until, category.Retention, Ground: ground);
    }

    public IReadOnlyList<ErasurePlanLine> Plan(IEnumerable<PlanRecord> records, DateOnly today, Func<PlanRecord, LegalHold?>? holdOf = null) =>
        Summarize(records.Select(r => Decide(r, today, holdOf?.Invoke(r))));

    /// <summary>Groups decisions into lines per controller, category, outcome and end date, in policy order.</summary>
    public IReadOnlyList<ErasurePlanLine> Summarize(IEnumerable<RecordDecision> decisions) =>
        [.. decisions
            .GroupBy(d => (d.Record.ControllerId, d.Record.CategoryId, d.Outcome, d.KeepUntil, d.RetentionRuleId, d.HoldReason, d.Ground))
            .Select(g => new ErasurePlanLine(g.Key.ControllerId, g.Key.CategoryId, g.Key.Outcome, g.Count(), g.Key.KeepUntil, g.Key.RetentionRuleId, g.Key.HoldReason, g.Key.Ground))
            .OrderBy(l => ControllerOrder(l.ControllerId))
            .ThenBy(l => CategoryOrder(l.ControllerId, l.CategoryId))
            .ThenBy(l => l.Outcome)
            .ThenBy(l => l.KeepUntil)];

    /// <summary>The plan for a person's records at the given controllers as of <paramref name="today"/>.</summary>
    public async Task<IReadOnlyList<ErasurePlanLine>> PlanForAsync(Guid subjectId, IReadOnlyCollection<string> controllerIds, DateOnly today, CancellationToken cancellationToken)
    {
        var records = await db.HeldRecords.AsNoTracking()
            .Where(r => r.SubjectId == subjectId && controllerIds.Contains(r.ControllerId))
            .Select(r => new PlanRecord(r.Id, r.ControllerId, r.CategoryId, r.RetentionFrom))
            .ToListAsync(cancellationToken);
        var holds = await ActiveHolds.LoadAsync(db, subjectId, today, cancellationToken);
        var counted = await CountedForErasureAsync(subjectId, today, cancellationToken);
        return Plan(records.Select(counted), today, r => holds.For(subjectId, r.ControllerId, r.CategoryId));
    }

    /// <summary>
    /// The person's records as an erasure on <paramref name="today"/> counts their retention. A rule
    /// that counts from the end of the customer relationship counts from the day it ended, and an
    /// erasure of everything held for a company ends a relationship that was still active: from
    /// today. The stored date is a store's last word ("still active on …"), not the end.
    /// </summary>
    public async Task<Func<PlanRecord, PlanRecord>> CountedForErasureAsync(Guid subjectId, DateOnly today, CancellationToken cancellationToken)
    {
        var states = await relationships.OfPersonAsync(subjectId, today, cancellationToken);
        return record =>
        {
            if (policy.FindCategory(record.ControllerId, record.CategoryId) is not { } category
                || policy.RetentionRuleOf(category).CountsFrom != RetentionAnchor.RelationshipEnd
                || !states.TryGetValue(record.ControllerId, out var state))
            {
                return record;
            }

            return record with { RetentionFrom = state.Active ? today : state.EndedOn ?? record.RetentionFrom };
        };
    }

    public static string Serialize(IReadOnlyList<ErasurePlanLine> lines) => JsonSerializer.Serialize(lines, Json);

    public static IReadOnlyList<ErasurePlanLine> Deserialize(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<ErasurePlanLine>>(json, Json) ?? [];

    private int ControllerOrder(string id)
    {
        for (var i = 0; i < policy.Controllers.Count; i++)
        {
            if (policy.Controllers[i].Id == id)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private int CategoryOrder(string controllerId, string categoryId)
    {
        var categories = policy.FindController(controllerId)?.Categories;
        for (var i = 0; i < (categories?.Count ?? 0); i++)
        {
            if (categories![i].Id == categoryId)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
