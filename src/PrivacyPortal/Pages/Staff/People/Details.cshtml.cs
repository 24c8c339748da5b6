using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Staff.People;

/// <summary>
/// The staff page of a person: who they are, their requests, and "view as customer" with a reason
/// and a ticket (Support and PrivacyOfficer only), with every earlier view listed.
/// </summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class DetailsModel(
    PortalDbContext db,
    StaffDirectory directory,
    StaffAudit audit,
    ImpersonationSwitch featureSwitch,
    StartImpersonationCommand start,
    PlaceLegalHoldCommand placeHold,
    LiftLegalHoldCommand liftHold,
    IAuthorizationService authorization,
    TimeProvider time,
    IStringLocalizer<Localization.Impersonation> text,
    IStringLocalizer<Localization.Staff> staffText) : PageModel
{
    [BindProperty]
    public ViewAsInput Input { get; set; } = new();

    /// <summary>Set when the staff member comes back from a view as customer: <c>stopped</c>, <c>expired</c>…</summary>
    [BindProperty(SupportsGet = true, Name = "ended")]
    public string? Ended { get; set; }

    public PersonView Person { get; private set; } = null!;

    public IReadOnlyList<RequestRow> Requests { get; private set; } = [];

    public IReadOnlyList<ImpersonationSession> Views { get; private set; } = [];

    public bool MayViewAs { get; private set; }

    [BindProperty]
    public HoldInput Hold { get; set; } = new();

    /// <summary>The person's legal holds, newest first; those in force are the ones <see cref="LegalHold.AppliesOn"/> today.</summary>
    public IReadOnlyList<LegalHold> Holds { get; private set; } = [];

    public DateOnly Today { get; private set; }

    /// <summary>Only the privacy officer places and lifts legal holds.</summary>
    public bool IsPrivacyOfficer { get; private set; }

    [TempData(Key = "Staff.Status")]
    public string? StatusMessage { get; set; }

    public bool FeatureOn { get; private set; }

    public string? Refusal { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        await audit.RecordViewAsync(StaffAudit.Actions.ViewedPerson, id, null, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostViewAsAsync(Guid id, CancellationToken cancellationToken)
    {
        Input.Reason = Input.Reason?.Trim();
        Input.Ticket = Input.Ticket?.Trim();
        if (string.IsNullOrEmpty(Input.Reason))
        {
            ModelState.AddModelError("Input.Reason", text["Start.ReasonRequired"]);
        }
        else if (Input.Reason.Length > ImpersonationSession.ReasonMaxLength)
        {
            ModelState.AddModelError("Input.Reason", text["Start.ReasonTooLong", ImpersonationSession.ReasonMaxLength]);
        }

        if (string.IsNullOrEmpty(Input.Ticket))
        {
            ModelState.AddModelError("Input.Ticket", text["Start.TicketRequired"]);
        }
        else if (Input.Ticket.Length > ImpersonationSession.TicketMaxLength)
        {
            ModelState.AddModelError("Input.Ticket", text["Start.TicketTooLong", ImpersonationSession.TicketMaxLength]);
        }

        if (!ModelState.IsValid)
        {
            return await RedisplayAsync(id, StatusCodes.Status400BadRequest, cancellationToken);
        }

        var result = await start.ExecuteAsync(id, Input.Reason, Input.Ticket, cancellationToken);
        switch (result.Status)
        {
            case StartStatus.Started:
                var culture = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.PreferredCulture).FirstAsync(cancellationToken);
                return Redirect($"/{(PortalCultures.IsSupported(culture) ? culture : PortalCultures.Default)}/my-data");
            case StartStatus.NotAllowed:
                return Forbid();
            case StartStatus.NotFound:
                return NotFound();
            default:
                Refusal = text["Start.Refused." + result.Status];
                return await RedisplayAsync(id, StatusCodes.Status409Conflict, cancellationToken);
        }
    }

    public async Task<IActionResult> OnPostPlaceHoldAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded)
        {
            return await ForbidHoldAsync(id, "place a legal hold", cancellationToken);
        }

        ModelState.Clear();
        if (Request.Form.TryGetValue("Hold.EndsOn", out var rawEnd) && !string.IsNullOrWhiteSpace(rawEnd) && Hold.EndsOn is null)
        {
            ModelState.AddModelError("Hold", staffText["Hold.EndInvalid"]);
            return await RedisplayAsync(id, StatusCodes.Status400BadRequest, cancellationToken);
        }

        var result = await placeHold.ExecuteAsync(id, User.RequiredSubjectId(), new PlaceLegalHoldInput(Hold.Categories, Hold.Reason, Hold.Confidential, Hold.EndsOn), cancellationToken);
        return await HoldResultAsync(id, result, "Hold.Placed.Done", cancellationToken);
    }

    public async Task<IActionResult> OnPostLiftHoldAsync(Guid id, long holdId, CancellationToken cancellationToken)
    {
        if (!(await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded)
        {
            return await ForbidHoldAsync(id, "lift a legal hold", cancellationToken);
        }

        ModelState.Clear();
        var result = await liftHold.ExecuteAsync(id, holdId, User.RequiredSubjectId(), cancellationToken);
        return await HoldResultAsync(id, result, "Hold.Lifted.Done", cancellationToken);
    }

    private async Task<IActionResult> HoldResultAsync(Guid id, RequestActionOutcome result, string doneKey, CancellationToken cancellationToken)
    {
        if (result.ErrorKey == "Error.NotFound")
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            StatusMessage = staffText[doneKey];
            return Redirect($"/staff/people/{id}#legal-holds");
        }

        ModelState.AddModelError("Hold", result.Arguments is null ? staffText[result.ErrorKey!] : staffText[result.ErrorKey!, result.Arguments]);
        db.ChangeTracker.Clear();
        await audit.RecordViewAsync(StaffAudit.Actions.ActionFailed, id, $"legal hold: {result.ErrorKey}", cancellationToken);
        return await RedisplayAsync(id, StatusCodes.Status400BadRequest, cancellationToken);
    }

    private async Task<IActionResult> ForbidHoldAsync(Guid id, string what, CancellationToken cancellationToken)
    {
        await audit.RecordViewAsync(StaffAudit.Actions.Forbidden, id, $"{what}: needs the {StaffRoles.PrivacyOfficer} role", cancellationToken);
        return Forbid();
    }

    private async Task<IActionResult> RedisplayAsync(Guid id, int status, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        Response.StatusCode = status;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var person = await db.Users.AsNoTracking()
            .Where(u => u.Id == id)
            .Select(u => new PersonView(u.Id, u.DisplayName, u.Email ?? "", u.Kind, u.CompanyName, u.PreferredCulture))
            .FirstOrDefaultAsync(cancellationToken);
        if (person is null)
        {
            return false;
        }

        Person = person;
        Requests = await db.Set<PrivacyRequest>().AsNoTracking()
            .Where(r => r.SubjectId == id)
            .OrderByDescending(r => r.ReceivedAt)
            .Take(50)
            .Select(r => new RequestRow(r.Id, r.Reference, r.Kind, r.Status, r.DueOn))
            .ToListAsync(cancellationToken);
        Views = await db.Set<ImpersonationSession>().AsNoTracking()
            .Where(s => s.CustomerId == id)
            .OrderByDescending(s => s.StartedAt)
            .Take(50)
            .ToListAsync(cancellationToken);
        Today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        Holds = await db.Set<LegalHold>().AsNoTracking()
            .Where(h => h.SubjectId == id)
            .OrderByDescending(h => h.Id)
            .Take(50)
            .ToListAsync(cancellationToken);
        IsPrivacyOfficer = (await authorization.AuthorizeAsync(User, StaffPolicies.PrivacyOfficer)).Succeeded;
        var me = await directory.FindAsync(User, cancellationToken);
        MayViewAs = me is not null && me.Roles.Any(r => r is StaffRoles.Support or StaffRoles.PrivacyOfficer);
        FeatureOn = await featureSwitch.IsEnabledAsync(cancellationToken);
        return true;
    }

    public bool IsStaffAccount => Person.Kind == AccountKind.Staff;

    public sealed class ViewAsInput
    {
        public string? Reason { get; set; }

        public string? Ticket { get; set; }
    }

    public sealed class HoldInput
    {
        /// <summary>Keys <c>controller/category</c>; none chosen holds everything.</summary>
        public List<string?> Categories { get; set; } = [];

        public string? Reason { get; set; }

        public bool Confidential { get; set; }

        public DateOnly? EndsOn { get; set; }
    }

    public sealed record PersonView(Guid Id, string Name, string Email, AccountKind Kind, string? CompanyName, string PreferredCulture);

    public sealed record RequestRow(Guid Id, string Reference, RequestKind Kind, RequestStatus Status, DateOnly DueOn);
}
