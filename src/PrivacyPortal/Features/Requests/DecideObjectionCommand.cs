using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>Staff's decision on one objected purpose (key <c>controller/purpose</c>); grounds are required to refuse.</summary>
public sealed record PurposeDecisionInput(string Key, bool Uphold, string? Grounds);

/// <summary>
/// Decides the purposes of an Art. 21(1) objection, some or all at once. Upholding stops the purpose
/// for the person: records held only for purposes now stopped are erased, or kept restricted where a
/// legal duty or a legal hold says so, and every store holding a record is told. Refusing needs the
/// compelling legitimate grounds written out (the caller checks the PrivacyOfficer role). When every
/// purpose is decided the request is done: the restriction of the refused purposes ends and the
/// reply states each decision, and for refusals the grounds, the authorities and the courts (Art. 12(4)).
/// </summary>
public sealed class DecideObjectionCommand(
    RequestWorkflow workflow,
    PolicyCatalog policy,
    ErasurePlanner planner,
    ObjectionRestrictions restrictions,
    RecipientTaskWriter tasks,
    RequestEmails emails,
    StaffAudit audit)
{
    public const string UpheldAction = "staff.objection-upheld";
    public const string RefusedAction = "staff.objection-refused";

    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, Guid staffId, IReadOnlyList<PurposeDecisionInput> input, string? reply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var db = workflow.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await CursorFeedLock.QueueAsync(db, CursorFeedLock.RecipientTasks, cancellationToken);
        var loaded = await workflow.LoadAsync(requestId, cancellationToken);
        if (loaded is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var (request, person) = loaded.Value;
        if (request.Kind != RequestKind.Objection || request.ObjectionPurposeKeys.Count == 0)
        {
            return RequestActionOutcome.Fail("Error.NotAnObjection");
        }

        if (!PrivacyRequest.IsOpen(request.Status))
        {
            return RequestActionOutcome.Fail("Error.NotOpen");
        }

        if (RequestWorkflow.CheckText(reply, required: false, out var replyText) is { } invalidReply)
        {
            return invalidReply;
        }

        var earlier = await db.Set<ObjectionDecision>().Where(d => d.RequestId == request.Id).ToListAsync(cancellationToken);
        if (input.Count == 0)
        {
            return RequestActionOutcome.Fail("Error.DecisionRequired");
        }

        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        var now = workflow.Now;
        var added = new List<ObjectionDecision>();
        foreach (var decision in input)
        {
            if (!request.ObjectionPurposeKeys.Contains(decision.Key, StringComparer.Ordinal) || decision.Key.Split('/', 2) is not [var controllerId, var purposeId])
            {
                return RequestActionOutcome.Fail("Error.PurposeNotObjected");
            }

            if (earlier.Any(d => d.Key == decision.Key) || added.Any(d => d.Key == decision.Key))
            {
                return RequestActionOutcome.Fail("Error.PurposeDecided", ObjectionPurposeOptions.Describe(policy, decision.Key, culture));
            }

            string? grounds = null;
            if (!decision.Uphold && RequestWorkflow.CheckText(decision.Grounds, required: true, out grounds) is { } invalid)
            {
                return invalid.ErrorKey == "Error.TextRequired"
                    ? RequestActionOutcome.Fail("Error.GroundsRequired", ObjectionPurposeOptions.Describe(policy, decision.Key, culture))
                    : invalid;
            }

            added.Add(new ObjectionDecision
            {
                RequestId = request.Id,
                SubjectId = request.SubjectId,
                ControllerId = controllerId,
                PurposeId = purposeId,
                Upheld = decision.Uphold,
                Grounds = grounds,
                DecidedAt = now,
                DecidedBy = staffId,
            });
        }

        db.AddRange(added);
        foreach (var d in added)
        {
            audit.Add(d.Upheld ? UpheldAction : RefusedAction, request.SubjectId, $"{request.Reference} {d.Key}" + (d.Grounds is null ? "" : ": " + d.Grounds), staffId);
        }

        var outcome = await StopUpheldAsync(request, added.Where(d => d.Upheld).ToList(), cancellationToken);
        var all = earlier.Concat(added).ToList();
        var done = request.ObjectionPurposeKeys.All(k => all.Any(d => d.Key == k));
        workflow.AddEvent(request, RequestEventKind.ObjectionDecided, staffId, byStaff: true, string.Join("\n", added.Select(d =>
            $"{ObjectionPurposeOptions.Describe(policy, d.Key, culture)}: {(d.Upheld ? "upheld" : "refused: " + d.Grounds)}")));
        if (done)
        {
            await restrictions.AddTasksAsync(request, all.Where(d => !d.Upheld).Select(d => d.Key), ObjectionRestrictions.LiftAction, cancellationToken);
            var lines = ErasurePlanner.Deserialize(request.OutcomeJson).Concat(outcome).ToList();
            request.OutcomeJson = lines.Count == 0 ? null : ErasurePlanner.Serialize(lines);
            request.Status = all.Any(d => d.Upheld) ? RequestStatus.Completed : RequestStatus.Refused;
            workflow.AddEvent(request, all.Any(d => d.Upheld) ? RequestEventKind.CarriedOut : RequestEventKind.Refused, staffId, byStaff: true, replyText);
            emails.QueueObjectionDecided(request, new MailRecipient(person.Email ?? "", person.PreferredCulture), all, lines, replyText);
            audit.Add(all.Any(d => d.Upheld) ? StaffAudit.Actions.CarriedOut : StaffAudit.Actions.Refused, request.SubjectId, $"{request.Reference} {request.Kind}", staffId);
        }
        else if (outcome.Count > 0)
        {
            request.OutcomeJson = ErasurePlanner.Serialize([.. ErasurePlanner.Deserialize(request.OutcomeJson), .. outcome]);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }

    /// <summary>
    /// The upheld purposes stop: a record whose category has no purpose left for the person is
    /// erased, or kept restricted where the policy's legal duty or a legal hold says so; the stores
    /// holding the others are told to stop using them for the purpose.
    /// </summary>
    private async Task<IReadOnlyList<ErasurePlanLine>> StopUpheldAsync(PrivacyRequest request, List<ObjectionDecision> upheld, CancellationToken cancellationToken)
    {
        if (upheld.Count == 0)
        {
            return [];
        }

        var db = workflow.Db;
        var stopped = (await db.Set<ObjectionDecision>().AsNoTracking()
                .Where(d => d.SubjectId == request.SubjectId && d.Upheld)
                .Select(d => new { d.ControllerId, d.PurposeId })
                .ToListAsync(cancellationToken))
            .Select(d => ObjectionPurposeOptions.Key(d.ControllerId, d.PurposeId))
            .Concat(upheld.Select(d => d.Key))
            .ToHashSet(StringComparer.Ordinal);
        var holds = await ActiveHolds.LoadAsync(db, request.SubjectId, workflow.Today, cancellationToken);
        var perStore = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        var decisions = new List<RecordDecision>();
        var seen = new HashSet<long>();
        foreach (var d in upheld)
        {
            foreach (var record in await restrictions.RecordsForAsync(request.SubjectId, d.Key, cancellationToken))
            {
                if (!seen.Add(record.Id))
                {
                    continue;
                }

                var category = policy.GetCategory(record.ControllerId, record.CategoryId);
                var left = category.Purposes.Where(p => !stopped.Contains(ObjectionPurposeOptions.Key(record.ControllerId, p))).ToList();
                if (left.Count > 0)
                {
                    foreach (var purpose in upheld.Where(u => u.ControllerId == record.ControllerId && category.Purposes.Contains(u.PurposeId)))
                    {
                        tasks.Collect(perStore, record, new { controller = record.ControllerId, category = record.CategoryId, externalId = record.ExternalId, action = ObjectionRestrictions.StopAction, purpose = purpose.PurposeId });
                    }

                    continue;
                }

                var facts = new PlanRecord(record.Id, record.ControllerId, record.CategoryId, record.RetentionFrom);
                var outcome = planner.Decide(facts, workflow.Today, holds.For(record.SubjectId, record.ControllerId, record.CategoryId));
                decisions.Add(outcome);
                if (outcome.Outcome == RecordOutcome.Erase)
                {
                    db.HeldRecords.Remove(record);
                }
                else
                {
                    record.RestrictedAt ??= workflow.Now;
                    record.UpdatedAt = workflow.Now;
                }

                tasks.Collect(perStore, record, new
                {
                    controller = record.ControllerId,
                    category = record.CategoryId,
                    externalId = record.ExternalId,
                    action = outcome.Outcome == RecordOutcome.Erase ? "erase" : "restrict",
                    keepUntil = outcome.KeepUntil,
                    purpose = d.PurposeId,
                });
            }
        }

        tasks.Add(request, RecipientTaskKind.Objection, perStore);
        return planner.Summarize(decisions);
    }
}
