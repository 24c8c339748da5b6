using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.Members;

/// <summary>
/// The privacy officer or an admin: who is staff, whether they have enrolled an authenticator, an
/// invitation for a new member, and resetting a member's authenticator. Every view and action is audited.
/// </summary>
[Authorize(Policy = StaffPolicies.ManageStaff)]
public sealed class IndexModel(
    StaffDirectory directory,
    PortalDbContext db,
    StaffAudit audit,
    InviteStaffMemberCommand invite,
    ResetAuthenticatorCommand reset) : PageModel
{
    public sealed record Row(Guid Id, string Name, string Email, IReadOnlyList<string> Roles, bool Enrolled);

    public sealed class InviteInput
    {
        public string? Email { get; set; }

        public string? Name { get; set; }

        public string? Role { get; set; }
    }

    [BindProperty]
    public InviteInput Input { get; set; } = new();

    public IReadOnlyList<Row> Members { get; private set; } = [];

    public static IReadOnlyList<string> Roles => StaffRoles.All;

    /// <summary>A resource key of the Staff texts.</summary>
    [TempData]
    public string? StatusMessage { get; set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await audit.RecordViewAsync(StaffAudit.Actions.ViewedStaffList, null, null, cancellationToken);
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        var outcome = await invite.ExecuteAsync(User.RequiredSubjectId(), Input.Email, Input.Name, Input.Role, cancellationToken);
        if (outcome == InviteStaffMemberCommand.Outcome.Invited)
        {
            StatusMessage = "Members.Invited";
            return RedirectToPage();
        }

        Error = "Members.Error." + outcome;
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostResetAsync(Guid memberId, CancellationToken cancellationToken)
    {
        if (memberId == User.RequiredSubjectId() || !await reset.ExecuteAsync(User.RequiredSubjectId(), memberId, cancellationToken))
        {
            Error = "Members.Error.CannotReset";
            await LoadAsync(cancellationToken);
            return Page();
        }

        StatusMessage = "Members.Reset";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var staff = await directory.AllAsync(cancellationToken);
        var ids = staff.Select(s => s.Id).ToList();
        var enrolled = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) && u.TwoFactorEnabled).Select(u => u.Id).ToListAsync(cancellationToken);
        Members = [.. staff.OrderBy(s => s.Name, StringComparer.CurrentCulture).Select(s => new Row(s.Id, s.Name, s.Email, s.Roles, enrolled.Contains(s.Id)))];
    }
}
