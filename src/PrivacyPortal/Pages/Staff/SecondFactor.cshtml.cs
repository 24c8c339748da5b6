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
/// The second step of staff sign-in, after the magic link: an authenticator code. A staff member
/// without an authenticator enrols here through the link of a one-time invitation (the page then
/// shows the QR code and key); without one the page only says whom to ask.
/// </summary>
[Authorize]
public sealed class SecondFactorModel(
    UserManager<DataSubject> users,
    StaffDirectory directory,
    StaffSecondFactor secondFactor,
    StaffInvitations invitations,
    IStringLocalizer<Localization.Staff> text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    /// <summary>The enrolment invitation's token, from the mailed link; only needed before the authenticator is enrolled.</summary>
    [BindProperty(SupportsGet = true, Name = StaffInvitations.InvitationParameter)]
    public string? Invitation { get; set; }

    public bool Enrolled { get; private set; }

    /// <summary>Not enrolled and no valid invitation: the page says to ask for one, and shows no key.</summary>
    public bool NeedsInvitation { get; private set; }

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

        await LoadAsync(user, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (await StaffUserAsync(cancellationToken) is not { } user)
        {
            return Forbid();
        }

        var method = User.FindFirstValue(PortalClaims.AuthenticationMethod) ?? "magic-link";
        var status = await secondFactor.VerifyAsync(user, Code, Invitation, method, cancellationToken);
        switch (status)
        {
            case SecondFactorStatus.Verified:
                return LocalRedirect(StaffRegistration.SafeReturnUrl(ReturnUrl));
            case SecondFactorStatus.NotStaff:
                return Forbid();
            case SecondFactorStatus.LockedOut:
                Error = text["SecondFactor.LockedOut"];
                break;
            case SecondFactorStatus.TooManyFromNetwork:
                Error = text["SecondFactor.TooManyFromNetwork"];
                break;
            case SecondFactorStatus.NeedsInvitation:
                Error = text["SecondFactor.InvitationInvalid"];
                break;
            default:
                Error = text["SecondFactor.WrongCode"];
                break;
        }

        Code = null;
        await LoadAsync(user, cancellationToken);
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

    private async Task LoadAsync(DataSubject user, CancellationToken cancellationToken)
    {
        Enrolled = await secondFactor.IsEnrolledAsync(user);
        if (!Enrolled && await invitations.FindValidAsync(user.Id, Invitation, cancellationToken) is null)
        {
            NeedsInvitation = true;
            Invitation = null;
        }
        else if (!Enrolled)
        {
            var key = await secondFactor.EnrolmentKeyAsync(user);
            Key = string.Join(' ', key.Chunk(4).Select(c => new string(c))).ToLowerInvariant();
            QrCode = StaffSecondFactor.QrCodeDataUri(StaffSecondFactor.OtpAuthUri(user.Email ?? user.UserName ?? "", key));
        }
    }
}
