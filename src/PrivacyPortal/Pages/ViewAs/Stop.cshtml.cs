using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Impersonation;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.ViewAs;

/// <summary>
/// The banner's Stop button: ends the view as customer and returns to the person's staff page,
/// where the staff member's own session is still signed in. The one POST an impersonation may make.
/// </summary>
public sealed class StopModel(StopImpersonationCommand stop) : PageModel
{
    public IActionResult OnGet() => Redirect(User.IsImpersonating() ? CultureLink.To("my-data") : StaffRegistration.AreaPath);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!User.IsImpersonating())
        {
            return Redirect(StaffRegistration.AreaPath);
        }

        var customer = await stop.ExecuteAsync(cancellationToken);
        return Redirect(customer is { } id ? $"{StaffPeople.PersonPath(id)}?ended={ImpersonationEnd.Stopped}" : StaffRegistration.AreaPath);
    }
}
