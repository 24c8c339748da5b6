using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff;

/// <summary>
/// The second step of staff sign-in, after the magic link: an authenticator code. At the first
/// sign-in the page shows the QR code and key to enrol the authenticator app.
/// </summary>
[Authorize]
public sealed class SecondFactorModel(
    UserManager<DataSubject> users,
    StaffDirectory directory,
    StaffSecondFactor secondFactor,
    IStringLocalizer<Localization.Staff> text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    public bool Enrolled { get; private set; }

    public string? QrCode { get; private set; }

    public string? Key { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await StaffUserAsync(cancellationToken) is not { } user)
        {
            return Forbid();
        }

        if (StaffSecondFactor.IsCompleted(User))
        {
            return LocalRedirect(StaffRegistration.SafeReturnUrl(ReturnUrl));
        }

        await LoadAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await StaffUserAsync(cancellationToken) is not { } user)
        {
            return Forbid();
        }

        var method = User.FindFirstValue(PortalClaims.AuthenticationMethod) ?? "magic-link";
        var status = await secondFactor.VerifyAsync(user, Code, method, cancellationToken);
        switch (status)
        {
            case SecondFactorStatus.Verified:
                return LocalRedirect(StaffRegistration.SafeReturnUrl(ReturnUrl));
            case SecondFactorStatus.NotStaff:
                return Forbid();
            case SecondFactorStatus.LockedOut:
                Error = text["SecondFactor.LockedOut"];
                break;
            default:
                Error = text["SecondFactor.WrongCode"];
                break;
        }

        Code = null;
        await LoadAsync(user);
        return Page();
    }

    private async Task<DataSubject?> StaffUserAsync(CancellationToken cancellationToken)
    {
        if (User.SubjectId() is not { } id || await directory.FindAsync(id, cancellationToken) is null)
        {
            return null;
        }

        return await users.FindByIdAsync(id.ToString());
    }

    private async Task LoadAsync(DataSubject user)
    {
        var (key, enrolled) = await secondFactor.KeyForAsync(user);
        Enrolled = enrolled;
        if (!enrolled)
        {
            Key = string.Join(' ', key.Chunk(4).Select(c => new string(c))).ToLowerInvariant();
            QrCode = StaffSecondFactor.QrCodeDataUri(StaffSecondFactor.OtpAuthUri(user.Email ?? user.UserName ?? "", key));
        }
    }
}
