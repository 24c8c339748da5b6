using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Logout;

/// <summary>
/// Sign-out is a POST (with antiforgery), so a link or image elsewhere cannot sign anyone out. The
/// page itself says "you are signed out" once the session is gone, and offers the button while it is not.
/// </summary>
public sealed class IndexModel(PortalSignIn signIn) : PageModel
{
    public bool SignedIn => User.Identity?.IsAuthenticated == true;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await signIn.SignOutAsync(cancellationToken);
        return Redirect(CultureLink.To("logout"));
    }
}
