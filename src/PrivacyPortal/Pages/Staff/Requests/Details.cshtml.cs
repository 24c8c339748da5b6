using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
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
    TimeProvider time,
    IStringLocalizer<Localization.Staff> text) : PageModel
{
    public const int MaxRecordsShown = 200;

    public PrivacyRequest Item { get; private set; } = null!;

    public PersonView Person { get; private set; } = null!;

    public IReadOnlyList<RecordView> Records { get; private set; } = [];

    public int RecordCount { get; private set; }

    public IReadOnlyList<PrivacyRequestEvent> Timeline { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> FiledPlan { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> CurrentPlan { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> Outcome { get; private set; } = [];

    public bool IsPrivacyOfficer { get; private set; }

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

        /// <summary>Per erasable category (<c>controller/category</c>): <c>Erase</c> or <c>KeepRestricted</c>.</summary>
        public Dictionary<string, string> Choices { get; set; } = [];

        public string? RefuseReasons { get; set; }

        public string? CloseNote { get; set; }
    }

    public sealed record PersonView(Guid Id, string Name, string? Email, AccountKind Kind, string? CompanyName, string? JobTitle, string Culture);

    public sealed record RecordView(long Id, string ControllerId, string CategoryId, string Summary, DateOnly RetentionFrom, DateOnly? Until, bool Restricted, string? Store);

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
        ActAsync(id, nameof(InputModel.Message), () => message.FromStaffAsync(id, StaffId, Input.Message, cancellationToken), "Done.Message", cancellationToken);

    public Task<IActionResult> OnPostAskAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, nameof(InputModel.Question), () => ask.ExecuteAsync(id, StaffId, Input.Question, cancellationToken), "Done.Ask", cancellationToken);

    public async Task<IActionResult> OnPostExtendAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded)
        {
            return Forbid();
        }

        return await ActAsync(id, nameof(InputModel.ExtendReasons), () => extend.ExecuteAsync(id, StaffId, Input.ExtendMonths, Input.ExtendReasons, cancellationToken), "Done.Extend", cancellationToken);
    }

    public Task<IActionResult> OnPostCarryOutAsync(Guid id, CancellationToken cancellationToken)
    {
        var choices = Input.Choices
            .Where(c => c.Value == nameof(RecordOutcome.KeepRestricted))
            .ToDictionary(c => c.Key, _ => RecordOutcome.KeepRestricted, StringComparer.Ordinal);
        return ActAsync(id, nameof(InputModel.Reply), () => carryOut.ExecuteAsync(id, StaffId, new CarryOutInput(Input.Reply, choices), cancellationToken), "Done.CarryOut", cancellationToken);
    }

    public async Task<IActionResult> OnPostRefuseAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded)
        {
            return Forbid();
        }

        return await ActAsync(id, nameof(InputModel.RefuseReasons), () => refuse.ExecuteAsync(id, StaffId, Input.RefuseReasons, cancellationToken), "Done.Refuse", cancellationToken);
    }

    public Task<IActionResult> OnPostCloseAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, nameof(InputModel.CloseNote), () => close.ExecuteAsync(id, StaffId, Input.CloseNote, cancellationToken), "Done.Close", cancellationToken);

    public string? ErrorFor(string field) => ModelState["Input." + field]?.Errors.FirstOrDefault()?.ErrorMessage;

    public string CategoryName(string controllerId, string categoryId) =>
        policy.FindCategory(controllerId, categoryId)?.Name.Get(System.Globalization.CultureInfo.CurrentUICulture) ?? categoryId;

    private Guid StaffId => User.RequiredSubjectId();

    private async Task<IActionResult> ActAsync(Guid id, string field, Func<Task<RequestActionOutcome>> action, string doneKey, CancellationToken cancellationToken)
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
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
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
        Records = [.. records.Take(MaxRecordsShown).Select(r => new RecordView(
            r.Id, r.ControllerId, r.CategoryId, r.Summary, r.RetentionFrom,
            policy.FindCategory(r.ControllerId, r.CategoryId) is null ? null : policy.CalculateRetention(r.ControllerId, r.CategoryId, r.RetentionFrom).Until,
            r.RestrictedAt is not null, r.SourceStoreId))];
        Timeline = (await db.Set<PrivacyRequestEvent>().AsNoTracking().Where(e => e.RequestId == id).ToListAsync(cancellationToken))
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToList();
        FiledPlan = ErasurePlanner.Deserialize(request.PlanJson);
        Outcome = ErasurePlanner.Deserialize(request.OutcomeJson);
        if (request.Kind == RequestKind.Erasure && PrivacyRequest.IsOpen(request.Status))
        {
            CurrentPlan = planner.Plan(
                records.Where(r => request.ControllerIds.Contains(r.ControllerId)).Select(r => new PlanRecord(r.Id, r.ControllerId, r.CategoryId, r.RetentionFrom)),
                Today);
        }

        return true;
    }
}
