using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Staff's choice per category (<c>controller/category</c>): erase now, anonymise now (only where the
/// category's policy has an anonymisation rule and nothing obliges keeping it) or keep restricted
/// until the retention end, which needs the Art. 17(3) ground in <paramref name="Grounds"/>
/// (legal obligation only where the category's retention is a legal duty). No ground, no keeping:
/// a category without one is erased.
/// </summary>
public sealed record CarryOutInput(
    string? Reply,
    IReadOnlyDictionary<string, RecordOutcome>? Choices = null,
    IReadOnlyDictionary<string, ErasureGround>? Grounds = null)
{
    public static string ChoiceKey(string controllerId, string categoryId) => $"{controllerId}/{categoryId}";
}

/// <summary>
/// Does what the request asks. Erasure deletes (or, by staff's choice and the policy's rule,
/// anonymises) the records, restricts until their retention end those staff keep on an Art. 17(3)
/// ground, stops all marketing of every company and puts the address on the suppression list, and
/// ends the person's sessions and account when nothing is left;
/// rectification corrects the field; restriction marks the records. Each creates a task for every
/// store holding the data (Art. 19). Other kinds are answered with the reply.
/// </summary>
public sealed class CarryOutRequestCommand(
    RequestWorkflow workflow,
    ErasurePlanner planner,
    PolicyCatalog policy,
    StaffAudit audit,
    PortalSignIn signIn,
    Oidc.RevokeSubjectGrantsCommand oidcGrants,
    RecipientTaskWriter tasks,
    ManualRecipientTasks manualTasks,
    ChangeMarketingPreferenceCommand preferences,
    SuppressionList suppressions)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, Guid staffId, CarryOutInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var db = workflow.Db;
        // An erasure adds to the suppression list, whose key is made (once) outside this transaction.
        await suppressions.EnsureKeyAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Stores collect the tasks this may write by id, so carrying out queues on PostgreSQL.
        await CursorFeedLock.QueueAsync(db, CursorFeedLock.RecipientTasks, cancellationToken);
        var loaded = await workflow.LoadAsync(requestId, cancellationToken);
        if (loaded is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var (request, person) = loaded.Value;
        if (RequestWorkflow.CheckText(input.Reply, required: false, out var reply) is { } invalid)
        {
            return invalid;
        }

        if (!PrivacyRequest.IsOpen(request.Status))
        {
            return RequestActionOutcome.Fail("Error.NotOpen");
        }

        if (request.Kind == RequestKind.Objection && request.ObjectionPurposeKeys.Count > 0)
        {
            // Each objected purpose is upheld or refused with its own grounds (DecideObjectionCommand).
            return RequestActionOutcome.Fail("Error.DecidePerPurpose");
        }

        if (request.Kind == RequestKind.Erasure && CheckChoices(input) is { } refused)
        {
            return refused;
        }

        // Read before carrying out, while every record concerned is still there.
        var affected = await AffectedCategoriesAsync(request, cancellationToken);
        IReadOnlyList<ErasurePlanLine>? outcome = null;
        var accountRemoved = false;
        var mailTo = person.Email;
        switch (request.Kind)
        {
            case RequestKind.Erasure:
                outcome = await EraseAsync(request, input, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await StopAllMarketingAsync(request, person, cancellationToken);
                accountRemoved = person.Kind != AccountKind.Staff
                    && !await db.HeldRecords.AnyAsync(r => r.SubjectId == person.Id, cancellationToken);
                break;
            case RequestKind.Rectification:
                if (!await RectifyAsync(request, cancellationToken))
                {
                    return RequestActionOutcome.Fail("Error.RecordGone");
                }

                break;
            case RequestKind.Restriction:
                outcome = await RestrictAsync(request, cancellationToken);
                break;
        }

        if (TaskKind(request.Kind) is { } taskKind)
        {
            manualTasks.AddFor(workflow, request, taskKind, affected);
        }

        if (outcome is not null)
        {
            request.OutcomeJson = ErasurePlanner.Serialize(outcome);
        }

        request.Status = RequestStatus.Completed;
        workflow.StaffAction(request, person, staffId, RequestEventKind.CarriedOut, StaffAudit.Actions.CarriedOut, RequestMail.Completed, reply, outcome, accountRemoved, mailTo);
        if (accountRemoved)
        {
            RemoveAccount(person);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (accountRemoved)
        {
            await db.MagicLinkTokens.Where(t => t.SubjectId == person.Id).ExecuteDeleteAsync(cancellationToken);
            await signIn.EndAllSessionsAsync(person.Id, cancellationToken);
            await oidcGrants.ExecuteAsync(person.Id, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }

    /// <summary>
    /// What carrying out this erasure with these choices would do, changing nothing: the records'
    /// outcomes (decided as <see cref="ExecuteAsync"/> decides them), the stores that get a task and
    /// the recipients staff must tell by hand. Staff confirm it before the erasure is carried out.
    /// </summary>
    public async Task<CarryOutPreview> PreviewErasureAsync(PrivacyRequest request, CarryOutInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(input);
        var db = workflow.Db;
        var controllers = request.ControllerIds.ToList();
        var records = await db.HeldRecords.AsNoTracking()
            .Where(r => r.SubjectId == request.SubjectId && controllers.Contains(r.ControllerId))
            .Select(r => new HeldRecord { Id = r.Id, SubjectId = r.SubjectId, ControllerId = r.ControllerId, CategoryId = r.CategoryId, RetentionFrom = r.RetentionFrom, SourceStoreId = r.SourceStoreId })
            .ToListAsync(cancellationToken);
        var today = workflow.Today;
        var holds = await ActiveHolds.LoadAsync(db, request.SubjectId, today, cancellationToken);
        var counted = await planner.CountedForErasureAsync(request.SubjectId, today, cancellationToken);
        var decisions = records
            .Select(r => Decide(counted(new PlanRecord(r.Id, r.ControllerId, r.CategoryId, r.RetentionFrom)), input, today, holds.For(r.SubjectId, r.ControllerId, r.CategoryId)))
            .ToList();
        var stores = records.SelectMany(tasks.StoresHolding).Distinct(StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var categories = records.Select(r => (r.ControllerId, r.CategoryId)).Distinct()
            .Select(c => policy.FindCategory(c.ControllerId, c.CategoryId))
            .OfType<DataCategory>()
            .ToList();
        var byHand = categories
            .SelectMany(policy.RecipientsOf)
            .Where(r => r.Notification?.Method == RecipientNotificationMethod.Manual)
            .Select(r => r.Id)
            .ToHashSet(StringComparer.Ordinal);
        return new CarryOutPreview(
            planner.Summarize(decisions),
            [.. policy.Stores.Where(s => stores.Contains(s.Id))],
            [.. policy.Document.Recipients.Where(r => byHand.Contains(r.Id))]);
    }

    private async Task<IReadOnlyList<ErasurePlanLine>> EraseAsync(PrivacyRequest request, CarryOutInput input, CancellationToken cancellationToken)
    {
        var db = workflow.Db;
        var controllers = request.ControllerIds.ToList();
        var records = await db.HeldRecords
            .Where(r => r.SubjectId == request.SubjectId && controllers.Contains(r.ControllerId))
            .ToListAsync(cancellationToken);
        var today = workflow.Today;
        var now = workflow.Now;
        var holds = await ActiveHolds.LoadAsync(db, request.SubjectId, today, cancellationToken);
        var counted = await planner.CountedForErasureAsync(request.SubjectId, today, cancellationToken);
        var decisions = new List<RecordDecision>();
        var perStore = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            var facts = counted(new PlanRecord(record.Id, record.ControllerId, record.CategoryId, record.RetentionFrom));
            // A legal hold wins over staff's choice: held records are kept, restricted, whatever else applies.
            var decision = Decide(facts, input, today, holds.For(record.SubjectId, record.ControllerId, record.CategoryId));

            decisions.Add(decision);
            if (decision.Outcome == RecordOutcome.Erase)
            {
                db.HeldRecords.Remove(record);
            }
            else if (decision.Outcome == RecordOutcome.Anonymise)
            {
                var rule = policy.GetCategory(record.ControllerId, record.CategoryId).Anonymisation!;
                db.Add(RecordAnonymiser.Anonymise(record.ControllerId, record.CategoryId, record.Content, record.RetentionFrom, rule, now));
                db.HeldRecords.Remove(record);
            }
            else
            {
                record.RestrictedAt ??= now;
                record.UpdatedAt = now;
            }

            tasks.Collect(perStore, record, new
            {
                controller = record.ControllerId,
                category = record.CategoryId,
                externalId = record.ExternalId,
                action = decision.Outcome switch
                {
                    RecordOutcome.Erase => "erase",
                    RecordOutcome.Anonymise => "anonymise",
                    _ => "restrict",
                },
                keepUntil = decision.KeepUntil,
                keepFields = decision.Outcome == RecordOutcome.Anonymise ? policy.GetCategory(record.ControllerId, record.CategoryId).Anonymisation!.KeepFields : null,
            });
        }

        tasks.Add(request, RecipientTaskKind.Erasure, perStore);
        foreach (var group in decisions.Where(d => d.Outcome == RecordOutcome.Anonymise).GroupBy(d => (d.Record.ControllerId, d.Record.CategoryId)))
        {
            var kept = policy.GetCategory(group.Key.ControllerId, group.Key.CategoryId).Anonymisation!.KeepFields;
            audit.Add(StaffAudit.Actions.Anonymised, request.SubjectId,
                $"{request.Reference} {group.Key.ControllerId}/{group.Key.CategoryId}: {group.Count()} record(s) kept without the link to the person: {string.Join(", ", kept)}");
        }

        return planner.Summarize(decisions);
    }

    private static RecipientTaskKind? TaskKind(RequestKind kind) => kind switch
    {
        RequestKind.Erasure => RecipientTaskKind.Erasure,
        RequestKind.Rectification => RecipientTaskKind.Rectification,
        RequestKind.Restriction => RecipientTaskKind.Restriction,
        _ => null,
    };

    /// <summary>The categories whose recipients must be told (Art. 19): the record rectified, or every record erased or restricted.</summary>
    private async Task<List<(string ControllerId, string CategoryId)>> AffectedCategoriesAsync(PrivacyRequest request, CancellationToken cancellationToken)
    {
        if (TaskKind(request.Kind) is null)
        {
            return [];
        }

        var records = workflow.Db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == request.SubjectId);
        if (request.Kind == RequestKind.Rectification)
        {
            var corrected = request.Corrections.Select(c => c.RecordId).ToList();
            records = records.Where(r => corrected.Contains(r.Id));
        }
        else
        {
            var controllers = request.ControllerIds.ToList();
            records = records.Where(r => controllers.Contains(r.ControllerId));
        }

        var pairs = await records.Select(r => new { r.ControllerId, r.CategoryId }).Distinct().ToListAsync(cancellationToken);
        return [.. pairs.Select(p => (p.ControllerId, p.CategoryId))];
    }

    /// <summary>
    /// An erasure ends marketing everywhere: a stop for every preference of every company (as history
    /// rows by the erasure, which every store's suppression feed carries), and the address on the
    /// suppression list so that a store bringing it back does not market to it again. Both commit
    /// with the erasure.
    /// </summary>
    private async Task StopAllMarketingAsync(PrivacyRequest request, DataSubject person, CancellationToken cancellationToken)
    {
        if (person.Email is { Length: > 0 } email)
        {
            await suppressions.AddAsync(email, request.Id, cancellationToken);
        }

        var stops = PreferenceKey.AllOf(policy).Select(k => new PreferenceChange(k, Enable: false)).ToList();
        await preferences.ExecuteAsync(person.Id, stops, PreferenceActor.Erasure(request.Id), cancellationToken);
    }

    /// <summary>
    /// Held records stay held and records the policy does not know wait for review; the others are kept only on a ground staff
    /// chose (the page proposes the policy's), anonymised where staff chose it and nothing obliges
    /// keeping them, and erased otherwise.
    /// </summary>
    private RecordDecision Decide(PlanRecord facts, CarryOutInput input, DateOnly today, LegalHold? hold)
    {
        var planned = planner.Decide(facts, today, hold);
        if (planned.Outcome is RecordOutcome.KeepForReview or RecordOutcome.Held)
        {
            return planned;
        }

        var key = CarryOutInput.ChoiceKey(facts.ControllerId, facts.CategoryId);
        RecordOutcome? choice = input.Choices?.TryGetValue(key, out var chosen) == true ? chosen : null;
        if (choice == RecordOutcome.Anonymise && planned.Outcome == RecordOutcome.Erase)
        {
            return planned with { Outcome = RecordOutcome.Anonymise };
        }

        if ((choice is null or RecordOutcome.KeepRestricted) && input.Grounds?.TryGetValue(key, out var ground) == true)
        {
            return planner.KeepUntilRetentionEnd(facts, ground, today);
        }

        return new RecordDecision(facts, RecordOutcome.Erase, null, null);
    }

    /// <summary>
    /// Anonymising is only offered where the policy says how, legal obligation only where the
    /// category's retention is a legal duty; any other choice or ground is refused, not taken as "erase".
    /// </summary>
    public RequestActionOutcome? CheckChoices(CarryOutInput input)
    {
        foreach (var (key, ground) in input.Grounds ?? new Dictionary<string, ErasureGround>())
        {
            if (!Enum.IsDefined(ground)
                || key.Split('/', 2) is not [var controller, var category]
                || policy.FindCategory(controller, category) is not { } found)
            {
                return RequestActionOutcome.Fail("Error.GroundUnknown");
            }

            if (!found.Allows(ground))
            {
                return RequestActionOutcome.Fail("Error.GroundNotAllowed", key);
            }
        }

        foreach (var (key, choice) in input.Choices ?? new Dictionary<string, RecordOutcome>())
        {
            if (choice is not (RecordOutcome.Erase or RecordOutcome.Anonymise or RecordOutcome.KeepRestricted))
            {
                return RequestActionOutcome.Fail("Error.ChoiceUnknown");
            }

            if (choice == RecordOutcome.Anonymise
                && (key.Split('/', 2) is not [var controller, var category]
                    || policy.FindCategory(controller, category) is not { Anonymisation: not null }))
            {
                return RequestActionOutcome.Fail("Error.AnonymiseNotAllowed", key);
            }
        }

        return null;
    }

    /// <summary>Every value the person asked to correct, or none if a record or field is gone (the person is told, nothing is half done).</summary>
    private async Task<bool> RectifyAsync(PrivacyRequest request, CancellationToken cancellationToken)
    {
        var db = workflow.Db;
        var corrections = request.Corrections;
        var ids = corrections.Select(c => c.RecordId).Distinct().ToList();
        var records = await db.HeldRecords.Where(r => ids.Contains(r.Id) && r.SubjectId == request.SubjectId).ToDictionaryAsync(r => r.Id, cancellationToken);
        if (corrections.Count == 0 || corrections.Any(c => !records.TryGetValue(c.RecordId, out var record) || !RectifiableFields.TryGet(record.Content, c.Field, out _)))
        {
            return false;
        }

        var perStore = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        foreach (var correction in corrections)
        {
            var record = records[correction.RecordId];
            record.Content = RectifiableFields.Set(record.Content, correction.Field, correction.Value);
            record.UpdatedAt = workflow.Now;
            tasks.Collect(perStore, record, new
            {
                controller = record.ControllerId,
                category = record.CategoryId,
                externalId = record.ExternalId,
                field = correction.Field,
                value = correction.Value,
            });
        }

        tasks.Add(request, RecipientTaskKind.Rectification, perStore);
        return true;
    }

    private async Task<IReadOnlyList<ErasurePlanLine>> RestrictAsync(PrivacyRequest request, CancellationToken cancellationToken)
    {
        var db = workflow.Db;
        var controllers = request.ControllerIds.ToList();
        var records = await db.HeldRecords
            .Where(r => r.SubjectId == request.SubjectId && controllers.Contains(r.ControllerId))
            .ToListAsync(cancellationToken);
        var now = workflow.Now;
        var perStore = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        var decisions = new List<RecordDecision>();
        foreach (var record in records)
        {
            record.RestrictedAt ??= now;
            record.UpdatedAt = now;
            decisions.Add(new RecordDecision(new PlanRecord(record.Id, record.ControllerId, record.CategoryId, record.RetentionFrom), RecordOutcome.Restricted, null, null));
            tasks.Collect(perStore, record, new { controller = record.ControllerId, category = record.CategoryId, externalId = record.ExternalId, action = "restrict" });
        }

        tasks.Add(request, RecipientTaskKind.Restriction, perStore);
        return planner.Summarize(decisions);
    }

    /// <summary>Nothing is left of the person: the account keeps only its id (which the request and the log refer to) and can no longer sign in.</summary>
    private static void RemoveAccount(DataSubject person)
    {
        var erased = "erased-" + person.Id.ToString("N");
        person.Email = null;
        person.NormalizedEmail = null;
        person.UserName = erased;
        person.NormalizedUserName = erased.ToUpperInvariant();
        person.DisplayName = "";
        person.PhoneNumber = null;
        person.CompanyName = null;
        person.CompanyRegistrationCode = null;
        person.JobTitle = null;
        person.SecurityStamp = Guid.NewGuid().ToString("N");
        person.LockoutEnabled = true;
        person.LockoutEnd = DateTimeOffset.MaxValue;
    }
}

/// <summary>What an erasure would do: <see cref="CarryOutRequestCommand.PreviewErasureAsync"/>.</summary>
/// <param name="Lines">Per company and category, the records erased, anonymised or kept, and why.</param>
/// <param name="Stores">The stores that get a task through the store API to act on their copies.</param>
/// <param name="ToldByHand">The recipients outside the stores that staff must tell (Art. 19).</param>
public sealed record CarryOutPreview(IReadOnlyList<ErasurePlanLine> Lines, IReadOnlyList<Store> Stores, IReadOnlyList<Recipient> ToldByHand);
