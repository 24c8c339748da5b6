using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Impersonation;

namespace PrivacyPortal.Pages.ViewAs;

/// <summary>
/// What staff see when they try to change something while viewing as a customer: the guard
/// re-routes every refused request here. Opened directly, it is just a 404.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class RefusedModel : PageModel
{
    public string? Attempted { get; private set; }

    public IActionResult OnGet()
    {
        if (!User.IsImpersonating() || HttpContext.Items[ImpersonationGuard.RefusedKey] is not string attempted)
        {
            return NotFound();
        }

        Attempted = attempted;
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Page();
    }
}
