using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Logout;

/// <summary>Sign-out is a POST (with antiforgery), so a link or image elsewhere cannot sign anyone out.</summary>
public sealed class IndexModel(PortalSignIn signIn) : PageModel
{
    public IActionResult OnGet() => Redirect(CultureLink.To(""));

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await signIn.SignOutAsync(cancellationToken);
        return Redirect(CultureLink.To(""));
    }
}
