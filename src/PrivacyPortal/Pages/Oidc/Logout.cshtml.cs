using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Oidc;

/// <summary>
/// Confirms a store's sign-out request that did not come with an ID token of the current session,
/// and tells the person they are signed out. Signing out is a POST with antiforgery.
/// </summary>
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class LogoutModel(IDataProtectionProvider dataProtection, PortalSignIn signIn) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "request")]
    public string? ProtectedRequest { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool Done { get; set; }

    public IActionResult OnGet()
    {
        if (Done)
        {
            return Page();
        }

        var request = EndSessionEndpoint.Unprotect(dataProtection, ProtectedRequest);
        if (request is null)
        {
            return InvalidRequest();
        }

        // Nobody to sign out: go straight on.
        return User.SubjectId() is null ? Redirect(request.Destination) : Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var request = EndSessionEndpoint.Unprotect(dataProtection, ProtectedRequest);
        if (request is null)
        {
            return InvalidRequest();
        }

        await signIn.SignOutAsync(cancellationToken);
        return Redirect(request.Destination);
    }

    /// <summary>A missing, tampered or expired sign-out request: our localized OIDC error page.</summary>
    private LocalRedirectResult InvalidRequest() => LocalRedirect(CultureLink.To("oidc/error?error=invalid_logout_request"));
}
