using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.Requests;

/// <summary>
/// A request as staff handle it: the person, the data held, the plan, the timeline and the actions.
/// Extending and refusing need the PrivacyOfficer role; every view and action is audited.
/// </summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class DetailsModel(
    PortalDbContext db,
    PolicyCatalog policy,
    ErasurePlanner planner,
    StaffAudit audit,
    IAuthorizationService authorization,
    AddRequestMessageCommand message,
    AskForInformationCommand ask,
    ExtendRequestCommand extend,
    CarryOutRequestCommand carryOut,
    RefuseRequestCommand refuse,
    CloseRequestCommand close,
    CompleteManualRecipientTaskCommand completeTask,
    DecideObjectionCommand decide,
    CustomerRelationships relationships,
    TimeProvider time,
    IStringLocalizer<Localization.Staff> text) : PageModel
{
    public const int MaxRecordsShown = 200;

    private static readonly Dictionary<string, RecordOutcome> ChoiceNames = new(StringComparer.Ordinal)
    {
        [nameof(RecordOutcome.Erase)] = RecordOutcome.Erase,
        [nameof(RecordOutcome.Anonymise)] = RecordOutcome.Anonymise,
    };

    /// <summary>Keeping is chosen by naming its Art. 17(3) ground.</summary>
    private static readonly Dictionary<string, ErasureGround> GroundNames =
        Enum.GetValues<ErasureGround>().ToDictionary(g => g.ToString(), g => g, StringComparer.Ordinal);

    public PrivacyRequest Item { get; private set; } = null!;

    public PersonView Person { get; private set; } = null!;

    public IReadOnlyList<RecordView> Records { get; private set; } = [];

    public int RecordCount { get; private set; }

    public IReadOnlyList<PrivacyRequestEvent> Timeline { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> FiledPlan { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> CurrentPlan { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> Outcome { get; private set; } = [];

    /// <summary>An objection's decisions so far, per purpose.</summary>
    public IReadOnlyList<ObjectionDecision> Decisions { get; private set; } = [];

    /// <summary>The person's legal holds in force today.</summary>
    public IReadOnlyList<LegalHold> Holds { get; private set; } = [];

    /// <summary>An Art. 21(1) objection naming purposes: decided per purpose instead of carried out or refused as a whole.</summary>
    public bool DecidedPerPurpose => Item.Kind == RequestKind.Objection && Item.ObjectionPurposeKeys.Count > 0;

    public bool IsPrivacyOfficer { get; private set; }

    /// <summary>Art. 19 tasks for recipients outside the group's stores, open ones first.</summary>
    public IReadOnlyList<ManualRecipientTask> ManualTasks { get; private set; } = [];

    /// <summary>Art. 19 tasks the group's stores pull from the store API.</summary>
    public IReadOnlyList<StoreTaskView> StoreTasks { get; private set; } = [];

    public int OpenManualTasks => ManualTasks.Count(t => t.DoneAt is null);

    public DateOnly Today { get; private set; }

    [TempData(Key = "Staff.Status")]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        public string? Message { get; set; }

        public string? Question { get; set; }

        public int ExtendMonths { get; set; } = 2;

        public string? ExtendReasons { get; set; }

        public string? Reply { get; set; }

        /// <summary>
        /// Per category (<c>controller/category</c>): <c>Erase</c>, <c>Anonymise</c> (where the policy says how), or the
        /// Art. 17(3) ground to keep it restricted on: <c>LegalObligation</c> (only under a legal retention duty) or <c>LegalClaims</c>.
        /// </summary>
        public Dictionary<string, string?> Choices { get; set; } = [];

        public string? RefuseReasons { get; set; }

        public string? CloseNote { get; set; }

        public string? TaskNote { get; set; }
        /// <summary>Per objected purpose (<c>controller/purpose</c>): <c>Uphold</c>, <c>Refuse</c> or empty (not yet).</summary>
        public Dictionary<string, string?> Decision { get; set; } = [];

        /// <summary>Per objected purpose: the compelling legitimate grounds, required to refuse.</summary>
        public Dictionary<string, string?> Grounds { get; set; } = [];

        public string? DecisionReply { get; set; }
    }

    public sealed record StoreTaskView(long Id, string StoreId, RecipientTaskKind Kind, DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt);

    public sealed record PersonView(Guid Id, string Name, string? Email, AccountKind Kind, string? CompanyName, string? JobTitle, string Culture);

    /// <param name="WhileRelationshipLasts">No end yet: the rule counts from the end of a customer relationship that is still active.</param>
    public sealed record RecordView(long Id, string ControllerId, string CategoryId, string Summary, DateOnly RetentionFrom, DateOnly? Until, bool Restricted, string? Store, bool WhileRelationshipLasts = false);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        await audit.RecordViewAsync(StaffAudit.Actions.ViewedPerson, Item.SubjectId, $"request {Item.Reference}", cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostMessageAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, "Message", nameof(InputModel.Message), () => message.FromStaffAsync(id, StaffId, Input.Message, cancellationToken), "Done.Message", cancellationToken);

    public Task<IActionResult> OnPostAskAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, "Ask", nameof(InputModel.Question), () => ask.ExecuteAsync(id, StaffId, Input.Question, cancellationToken), "Done.Ask", cancellationToken);

    public async Task<IActionResult> OnPostExtendAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded)
        {
            return await ForbidAsync(id, "Extend", cancellationToken);
        }

        // A value that is not a number binds nothing and would leave the default: it extends by nothing instead.
        var months = ModelState.GetFieldValidationState("Input." + nameof(InputModel.ExtendMonths)) == Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid
            ? 0
            : Input.ExtendMonths;
        return await ActAsync(id, "Extend", nameof(InputModel.ExtendReasons), () => extend.ExecuteAsync(id, StaffId, months, Input.ExtendReasons, cancellationToken), "Done.Extend", cancellationToken);
    }

    public Task<IActionResult> OnPostCarryOutAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!TryReadChoices(out var choices, out var grounds))
        {
            return ActAsync(id, "CarryOut", nameof(InputModel.Reply), () => Task.FromResult(RequestActionOutcome.Fail("Error.ChoiceUnknown")), "Done.CarryOut", cancellationToken);
        }

        return ActAsync(id, "CarryOut", nameof(InputModel.Reply), () => carryOut.ExecuteAsync(id, StaffId, new CarryOutInput(Input.Reply, choices, grounds), cancellationToken), "Done.CarryOut", cancellationToken);
    }

    /// <summary>
    /// The step before an erasure is carried out: what the choices made will erase, keep and who will
    /// be told, with the button that does it. Nothing changes here; the choices travel on in the form.
    /// </summary>
    public async Task<IActionResult> OnPostReviewCarryOutAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!TryReadChoices(out var choices, out var grounds))
        {
            return await ActAsync(id, "CarryOut", nameof(InputModel.Reply), () => Task.FromResult(RequestActionOutcome.Fail("Error.ChoiceUnknown")), "Done.CarryOut", cancellationToken);
        }

        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        if (Item.Kind != RequestKind.Erasure || !PrivacyRequest.IsOpen(Item.Status))
        {
            return Redirect($"/staff/requests/{id}");
        }

        var input = new CarryOutInput(Input.Reply, choices, grounds);
        if (carryOut.CheckChoices(input) is { } refused)
        {
            // A choice the policy does not allow is refused here already, as carrying out would refuse it.
            return await ActAsync(id, "CarryOut", nameof(InputModel.Reply), () => Task.FromResult(refused), "Done.CarryOut", cancellationToken);
        }

        Review = await carryOut.PreviewErasureAsync(Item, input, cancellationToken);
        await audit.RecordViewAsync(StaffAudit.Actions.ViewedPerson, Item.SubjectId, $"request {Item.Reference} carry-out review", cancellationToken);
        return Page();
    }

    /// <summary>Set by <see cref="OnPostReviewCarryOutAsync"/>: what carrying out will do, for staff to confirm.</summary>
    public CarryOutPreview? Review { get; private set; }

    /// <summary>Only the names in the list are choices; a number or anything else is refused rather than read as "erase".</summary>
    private bool TryReadChoices(out Dictionary<string, RecordOutcome> choices, out Dictionary<string, ErasureGround> grounds)
    {
        choices = new Dictionary<string, RecordOutcome>(StringComparer.Ordinal);
        grounds = new Dictionary<string, ErasureGround>(StringComparer.Ordinal);
        foreach (var (key, value) in Input.Choices)
        {
            if (ChoiceNames.TryGetValue(value ?? "", out var choice))
            {
                choices[key] = choice;
            }
            else if (GroundNames.TryGetValue(value ?? "", out var ground))
            {
                grounds[key] = ground;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    public async Task<IActionResult> OnPostRefuseAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded)
        {
            return await ForbidAsync(id, "Refuse", cancellationToken);
        }

        return await ActAsync(id, "Refuse", nameof(InputModel.RefuseReasons), () => refuse.ExecuteAsync(id, StaffId, Input.RefuseReasons, cancellationToken), "Done.Refuse", cancellationToken);
    }

    public async Task<IActionResult> OnPostDecideAsync(Guid id, CancellationToken cancellationToken)
    {
        var decisions = new List<PurposeDecisionInput>();
        foreach (var (key, value) in Input.Decision)
        {
            switch (value)
            {
                case null or "":
                    continue;
                case "Uphold" or "Refuse":
                    decisions.Add(new PurposeDecisionInput(key, value == "Uphold", Input.Grounds.GetValueOrDefault(key)));
                    break;
                default:
                    return await ActAsync(id, "Decide", nameof(InputModel.Decision), () => Task.FromResult(RequestActionOutcome.Fail("Error.ChoiceUnknown")), "Done.Decide", cancellationToken);
            }
        }

        // Weighing compelling grounds against the person's objection is the privacy officer's call.
        if (decisions.Any(d => !d.Uphold) && !(await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded)
        {
            return await ForbidAsync(id, "Decide", cancellationToken);
        }

        return await ActAsync(id, "Decide", nameof(InputModel.Decision), () => decide.ExecuteAsync(id, StaffId, decisions, Input.DecisionReply, cancellationToken), "Done.Decide", cancellationToken);
    }

    public Task<IActionResult> OnPostCloseAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, "Close", nameof(InputModel.CloseNote), () => close.ExecuteAsync(id, StaffId, Input.CloseNote, cancellationToken), "Done.Close", cancellationToken);

    /// <summary>Marks a manual Art. 19 task done; the error, if any, is shown at that task's form.</summary>
    public Task<IActionResult> OnPostCompleteTaskAsync(Guid id, long taskId, CancellationToken cancellationToken)
    {
        FailedTaskId = taskId;
        return ActAsync(id, "CompleteTask", nameof(InputModel.TaskNote), () => completeTask.ExecuteAsync(id, taskId, StaffId, Input.TaskNote, cancellationToken), "Done.TaskDone", cancellationToken);
    }

    public long? FailedTaskId { get; private set; }

    public string? ErrorFor(string field) => ModelState["Input." + field]?.Errors.FirstOrDefault()?.ErrorMessage;

    /// <summary>The fields anonymising keeps, or null when the category's policy has no anonymisation rule.</summary>
    public IReadOnlyList<string>? AnonymisationKeeps(string controllerId, string categoryId) =>
        policy.FindCategory(controllerId, categoryId)?.Anonymisation?.KeepFields;

    /// <summary>The category of the policy, or null when the policy does not know it (its records wait for review).</summary>
    public DataCategory? Category(string controllerId, string categoryId) => policy.FindCategory(controllerId, categoryId);

    public string CategoryName(string controllerId, string categoryId) =>
        policy.FindCategory(controllerId, categoryId)?.Name.Get(System.Globalization.CultureInfo.CurrentUICulture) ?? categoryId;

    private Guid StaffId => User.RequiredSubjectId();

    private async Task<IActionResult> ActAsync(Guid id, string handler, string field, Func<Task<RequestActionOutcome>> action, string doneKey, CancellationToken cancellationToken)
    {
        var result = await action();
        if (result.ErrorKey == "Error.NotFound")
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            StatusMessage = text[doneKey];
            return Redirect($"/staff/requests/{id}");
        }

        ModelState.Clear();
        ModelState.AddModelError("Input." + field, result.Arguments is null ? text[result.ErrorKey!] : text[result.ErrorKey!, result.Arguments]);
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        // The attempt is in the person's trail too; whatever the refused action had begun is dropped first.
        db.ChangeTracker.Clear();
        await audit.RecordViewAsync(StaffAudit.Actions.ActionFailed, Item.SubjectId, $"{Item.Reference} {handler}: {result.ErrorKey}", cancellationToken);
        return Page();
    }

    private async Task<IActionResult> ForbidAsync(Guid id, string handler, CancellationToken cancellationToken)
    {
        var request = await db.Set<PrivacyRequest>().AsNoTracking()
            .Where(r => r.Id == id)
            .Select(r => new { r.SubjectId, r.Reference })
            .FirstOrDefaultAsync(cancellationToken);
        await audit.RecordViewAsync(StaffAudit.Actions.Forbidden, request?.SubjectId, $"{request?.Reference ?? id.ToString()} {handler}: needs the {PrivacyPortal.Features.Demo.StaffRoles.PrivacyOfficer} role", cancellationToken);
        return Forbid();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var request = await db.Set<PrivacyRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (request is null)
        {
            return false;
        }

        Item = request;
        Today = Deadlines.Day(time.GetUtcNow());
        IsPrivacyOfficer = (await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded;
        Person = await db.Users.AsNoTracking()
            .Where(u => u.Id == request.SubjectId)
            .Select(u => new PersonView(u.Id, u.DisplayName, u.Email, u.Kind, u.CompanyName, u.JobTitle, u.PreferredCulture))
            .FirstAsync(cancellationToken);
        var records = await db.HeldRecords.AsNoTracking()
            .Where(r => r.SubjectId == request.SubjectId)
            .OrderBy(r => r.ControllerId).ThenBy(r => r.CategoryId).ThenByDescending(r => r.RetentionFrom)
            .Select(r => new { r.Id, r.ControllerId, r.CategoryId, r.Summary, r.RetentionFrom, r.RestrictedAt, r.SourceStoreId })
            .ToListAsync(cancellationToken);
        RecordCount = records.Count;
        var states = await relationships.OfPersonAsync(request.SubjectId, Today, cancellationToken);
        Records = [.. records.Take(MaxRecordsShown).Select(r => new RecordView(
            r.Id, r.ControllerId, r.CategoryId, r.Summary, r.RetentionFrom,
            policy.FindCategory(r.ControllerId, r.CategoryId) is null ? null : relationships.RetentionOf(r.ControllerId, r.CategoryId, r.RetentionFrom, states.GetValueOrDefault(r.ControllerId)).Until,
            r.RestrictedAt is not null, r.SourceStoreId,
            policy.FindCategory(r.ControllerId, r.CategoryId) is not null && relationships.RetentionOf(r.ControllerId, r.CategoryId, r.RetentionFrom, states.GetValueOrDefault(r.ControllerId)).WhileRelationshipLasts))];
        Timeline = (await db.Set<PrivacyRequestEvent>().AsNoTracking().Where(e => e.RequestId == id).ToListAsync(cancellationToken))
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToList();
        ManualTasks = [.. (await db.Set<ManualRecipientTask>().AsNoTracking().Where(t => t.RequestId == id).ToListAsync(cancellationToken))
            .OrderBy(t => t.DoneAt is not null).ThenBy(t => t.Id)];
        StoreTasks = await db.Set<RecipientTask>().AsNoTracking().Where(t => t.RequestId == id).OrderBy(t => t.Id)
            .Select(t => new StoreTaskView(t.Id, t.StoreId, t.Kind, t.CreatedAt, t.AcknowledgedAt))
            .ToListAsync(cancellationToken);
        Decisions = await db.Set<ObjectionDecision>().AsNoTracking().Where(d => d.RequestId == id).OrderBy(d => d.Id).ToListAsync(cancellationToken);
        var holds = await ActiveHolds.LoadAsync(db, request.SubjectId, Today, cancellationToken);
        Holds = holds.Holds;
        FiledPlan = ErasurePlanner.Deserialize(request.PlanJson);
        Outcome = ErasurePlanner.Deserialize(request.OutcomeJson);
        if (request.Kind == RequestKind.Erasure && PrivacyRequest.IsOpen(request.Status))
        {
            var counted = await planner.CountedForErasureAsync(request.SubjectId, Today, cancellationToken);
            CurrentPlan = planner.Plan(
                records.Where(r => request.ControllerIds.Contains(r.ControllerId)).Select(r => counted(new PlanRecord(r.Id, r.ControllerId, r.CategoryId, r.RetentionFrom))),
                Today,
                r => holds.For(request.SubjectId, r.ControllerId, r.CategoryId));
        }

        return true;
    }
}
