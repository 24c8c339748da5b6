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
/// A request that came by email, phone, letter or in a store, recorded by staff for the person with
/// the address (opened from a person's page, or a new person created by the address). The deadline
/// counts from the day it was received; the person is told by mail in their language.
/// </summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class NewModel(
    PortalDbContext db,
    PolicyCatalog policy,
    RecordOutsideRequestCommand record,
    TimeProvider time,
    IStringLocalizer<Localization.Staff> staffText,
    IStringLocalizer<Localization.Requests> requestText) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>The person's page this was opened from: their address is filled in.</summary>
    [BindProperty(SupportsGet = true, Name = "person")]
    public Guid? PersonId { get; set; }

    public string? KnownPersonName { get; private set; }

    public IReadOnlyList<DataController> Companies => policy.Controllers;

    public DateOnly Today { get; private set; }

    public sealed class InputModel
    {
        public string? Kind { get; set; }

        public string? Channel { get; set; }

        public DateOnly? ReceivedOn { get; set; }

        public string? Details { get; set; }

        public string? IdentityCheck { get; set; }

        public string? IdentityNote { get; set; }

        public string? Email { get; set; }

        public string? NewPersonName { get; set; }

        public string? NewPersonCulture { get; set; }

        public List<string> Controllers { get; set; } = [];

        public Guid IdempotencyKey { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Today = Deadlines.Day(time.GetUtcNow());
        Input.IdempotencyKey = Guid.NewGuid();
        Input.ReceivedOn = Today;
        if (PersonId is { } id)
        {
            var person = await db.Users.AsNoTracking().Where(u => u.Id == id && u.Kind != AccountKind.Staff)
                .Select(u => new { u.Email, u.DisplayName }).FirstOrDefaultAsync(cancellationToken);
            Input.Email = person?.Email;
            KnownPersonName = person?.DisplayName;
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Today = Deadlines.Day(time.GetUtcNow());
        // A date that is not a date binds nothing: it is reported as missing, not taken as today.
        var receivedOn = ModelState.GetFieldValidationState("Input." + nameof(InputModel.ReceivedOn)) == Microsoft.AspNetCore.Mvc.ModelBinding.ModelValidationState.Invalid
            ? null
            : Input.ReceivedOn;
        var result = await record.ExecuteAsync(User.RequiredSubjectId(), new OutsideRequestInput(
            Input.Kind, Input.Channel, receivedOn, Input.Details, Input.IdentityCheck, Input.IdentityNote,
            Input.Email, Input.NewPersonName, Input.NewPersonCulture, Input.Controllers, Input.IdempotencyKey), cancellationToken);
        if (result.Succeeded)
        {
            TempData["Staff.Status"] = staffText["Record.Done"].Value;
            return Redirect($"/staff/requests/{result.RequestId}");
        }

        ModelState.Clear();
        foreach (var error in result.Errors)
        {
            var localizer = error.MessageKey.StartsWith("Record.", StringComparison.Ordinal) ? staffText : (IStringLocalizer)requestText;
            ModelState.AddModelError("Input." + error.Field, error.Arguments is null ? localizer[error.MessageKey] : localizer[error.MessageKey, error.Arguments]);
        }

        return Page();
    }

    public string? ErrorFor(string field) => ModelState["Input." + field]?.Errors.FirstOrDefault()?.ErrorMessage;
}
