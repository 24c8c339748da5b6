using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.Settings;

/// <summary>Admin only: switch "view as customer" on or off for all staff. Every change is audited.</summary>
[Authorize(Policy = StaffPolicies.Admin)]
public sealed class ImpersonationModel(ImpersonationSwitch featureSwitch) : PageModel
{
    public bool Enabled { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Enabled = await featureSwitch.IsEnabledAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(bool enabled, CancellationToken cancellationToken)
    {
        await featureSwitch.SetAsync(enabled, User.RequiredSubjectId(), cancellationToken);
        StatusMessage = enabled ? "Settings.SavedOn" : "Settings.SavedOff";
        return RedirectToPage();
    }
}
