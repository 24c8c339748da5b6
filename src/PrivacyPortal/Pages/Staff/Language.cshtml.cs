using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff;

/// <summary>The language buttons of the staff navigation post here; back to the page they were on.</summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class LanguageModel(PortalDbContext db) : PageModel
{
    public IActionResult OnGet() => Redirect(StaffRegistration.AreaPath);

    public async Task<IActionResult> OnPostAsync(string? language, string? returnUrl, CancellationToken cancellationToken)
    {
        if (!await StaffLanguage.ChooseAsync(db, User.RequiredSubjectId(), language, cancellationToken))
        {
            return BadRequest();
        }

        return Redirect(StaffRegistration.SafeReturnUrl(returnUrl));
    }
}
