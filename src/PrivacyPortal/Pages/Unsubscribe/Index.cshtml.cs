using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Pages.Unsubscribe;

/// <summary>
/// The unsubscribe link of a store's marketing email. GET (and HEAD, which mail scanners send)
/// only shows what would stop. Two POSTs stop it, without signing in:
/// <list type="bullet">
/// <item>the RFC 8058 one-click POST of a mail client (body <c>List-Unsubscribe=One-Click</c>),
/// which cannot carry an antiforgery token;</item>
/// <item>the page's own button, which does, and is checked.</item>
/// </list>
/// Skipping antiforgery for the first is safe because the signed token in the URL is the only
/// authority: it can only ever stop one preference of the person it names, never switch anything
/// on, and doing it twice changes nothing.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class IndexModel(
    UnsubscribeLinks links,
    MarketingPreferenceState state,
    ChangeMarketingPreferenceCommand change,
    PreferenceText describe,
    IAntiforgery antiforgery,
    IStringLocalizer<Localization.Preferences> text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty(SupportsGet = true, Name = "done")]
    public bool Done { get; set; }

    public UnsubscribeTokenRead Read { get; private set; } = UnsubscribeTokenRead.Invalid;

    /// <summary>Already stopped when the page was opened (or after the POST).</summary>
    public bool Stopped { get; private set; }

    public string Company { get; private set; } = "";

    public string What { get; private set; } = "";

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var oneClick = Request.HasFormContentType
            && string.Equals((await FormBody.ReadOrNullAsync(Request, cancellationToken))?["List-Unsubscribe"].ToString(), "One-Click", StringComparison.Ordinal);
        Read = links.Read(Token);
        if (Read.Status != UnsubscribeTokenStatus.Valid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }

        if (!oneClick && !await antiforgery.IsRequestValidAsync(HttpContext))
        {
            await LoadAsync(cancellationToken);
            Error = text["Unsubscribe.FormExpired"];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var token = Read.Token!;
        await change.ExecuteAsync(token.SubjectId, [new PreferenceChange(token.Key, Enable: false)], PreferenceActor.UnsubscribeLink(oneClick, token.StoreId), cancellationToken);
        if (oneClick)
        {
            // Mail clients do not follow redirects of this POST; a short 200 is all they need.
            Done = true;
            await LoadAsync(cancellationToken);
            return Page();
        }

        return Redirect(Request.Path + "?done=true");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Read = links.Read(Token);
        if (Read.Token is not { } token)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Company = describe.ControllerName(token.Key.ControllerId);
        What = describe.Name(token.Key);
        if (Read.Status == UnsubscribeTokenStatus.Expired)
        {
            Response.StatusCode = StatusCodes.Status410Gone;
            return;
        }

        Stopped = !(await state.LoadOneAsync(token.SubjectId, token.Key, cancellationToken)).Enabled;
    }
}
