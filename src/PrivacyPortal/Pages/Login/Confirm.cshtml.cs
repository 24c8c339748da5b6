using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Login;

/// <summary>
/// The page the emailed link opens. GET (and HEAD, which mail scanners send) only shows a button;
/// the token is used by the POST of that button.
/// </summary>
[EnableRateLimiting(MagicLinkRateLimits.PerIp)]
public sealed class ConfirmModel(RedeemMagicLinkCommand redeem) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public RedeemStatus Status { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Status = await redeem.PeekAsync(Token, cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await redeem.RedeemTokenAsync(Token, cancellationToken);
        if (result.Status == RedeemStatus.SignedIn)
        {
            return LocalRedirect(result.ReturnUrl ?? CultureLink.To("my-data"));
        }

        Status = result.Status;
        return Page();
    }
}
