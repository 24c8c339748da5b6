using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Login;

[EnableRateLimiting(MagicLinkRateLimits.PerIp)]
public sealed class IndexModel(
    RequestMagicLinkCommand requestLink,
    RedeemMagicLinkCommand redeem,
    IStringLocalizer<Localization.Login> text) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Set after the link was asked for: the protected attempt the code form posts back.</summary>
    [BindProperty]
    public string? Attempt { get; set; }

    [BindProperty]
    [StringLength(20)]
    public string? Code { get; set; }

    public bool LinkSent => Attempt is not null;

    public string? CodeError { get; private set; }

    public sealed class InputModel
    {
        [StringLength(EmailAddress.MaxLength + 50)]
        public string? Email { get; set; }
    }

    public void OnGet([FromQuery(Name = "login_hint")] string? loginHint)
    {
        if (Input.Email is null && loginHint is not null && loginHint.Length <= EmailAddress.MaxLength)
        {
            Input.Email = loginHint;
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Input.Email))
        {
            ModelState.AddModelError("Input.Email", text["Login.EmailRequired"]);
            return Page();
        }

        if (!ModelState.IsValid || !EmailAddress.TryNormalize(Input.Email, out var email))
        {
            ModelState.Clear();
            ModelState.AddModelError("Input.Email", text["Login.EmailInvalid"]);
            return Page();
        }

        Attempt = await requestLink.ExecuteAsync(
            email,
            CultureInfo.CurrentUICulture,
            LocalReturnUrl(),
            HttpContext.Connection.RemoteIpAddress?.ToString(),
            cancellationToken);
        Input.Email = email;
        ModelState.Clear();
        return Page();
    }

    public async Task<IActionResult> OnPostCodeAsync(CancellationToken cancellationToken)
    {
        var result = await redeem.RedeemCodeAsync(Attempt, Code, cancellationToken);
        switch (result.Status)
        {
            case RedeemStatus.SignedIn:
                return LocalRedirect(result.ReturnUrl ?? CultureInfoLink("my-data"));
            case RedeemStatus.WrongCode:
                CodeError = text.Plural("Login.CodeWrong", result.AttemptsLeft);
                break;
            case RedeemStatus.TooManyAttempts:
                CodeError = text["Login.CodeTooManyAttempts"];
                break;
            case RedeemStatus.Expired:
                CodeError = text["Login.CodeExpired"];
                break;
            default:
                CodeError = text["Login.CodeInvalid"];
                break;
        }

        ModelState.Clear();
        Code = null;
        if (result.Status is RedeemStatus.Invalid)
        {
            // The attempt is over (used or forged); start again from the email form.
            Attempt = null;
        }

        return Page();
    }

    private string? LocalReturnUrl() =>
        ReturnUrl is { Length: <= 2048 } && Url.IsLocalUrl(ReturnUrl) && !ReturnUrl.StartsWith("/\\", StringComparison.Ordinal) ? ReturnUrl : null;

    private static string CultureInfoLink(string path) => Infrastructure.Localization.CultureLink.To(path);
}
