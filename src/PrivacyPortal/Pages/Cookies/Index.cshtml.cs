using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Cookies;

/// <summary>
/// Cookie settings: the same choices as the banner (which posts here), one category at a time,
/// and this browser's (and account's) history of choices. The antiforgery token is checked by
/// hand so that a stale form re-shows the person's ticks instead of a bare error page.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class IndexModel(
    PolicyCatalog policy,
    CookieConsentState consent,
    RecordCookieConsentCommand record,
    CookieConsentHistory history,
    IAntiforgery antiforgery,
    IStringLocalizer<Localization.Cookies> text) : PageModel
{
    public const int HistoryRows = 50;

    [BindProperty]
    public string? Choice { get; set; }

    [BindProperty]
    public List<string> Categories { get; set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    public IReadOnlySet<string> Ticked { get; private set; } = new HashSet<string>();

    public IReadOnlyList<CookieCategory> CookieCategories => policy.CookieCategories;

    /// <summary>The companies at which a marketing consent stands for this cookie category (personalised advertising): its home is the marketing choices.</summary>
    public IReadOnlyList<string> ConsentCompaniesFor(string categoryId) =>
        [.. policy.Controllers.Where(c => c.Marketing.Consents.Any(k => k.CookieCategory == categoryId)).Select(c => c.LegalName)];

    public CookieConsentState Consent => consent;

    public IReadOnlyList<CookieConsentEntry> History { get; private set; } = [];

    public string? Error { get; private set; }

    public string? StatusMessage => Status switch
    {
        "saved" => text["Settings.Saved"].Value,
        "unchanged" => text["Settings.Unchanged"].Value,
        _ => null,
    };

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Ticked = consent.HasValidChoice ? consent.Stored!.Categories : new HashSet<string>();
        await LoadHistoryAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // An empty field binds as null; it names no category.
        var posted = Categories.OfType<string>().Where(c => c.Length is > 0 and <= 64).Take(50).ToHashSet(StringComparer.Ordinal);
        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            return await ShowErrorAsync(text["Error.FormExpired"], posted, cancellationToken);
        }

        var optional = policy.CookieCategories.Where(c => c.ConsentRequired).ToList();
        (IReadOnlyCollection<string>? accepted, CookieConsentAction action) = Choice switch
        {
            // With a Global Privacy Control signal "accept" leaves what the signal covers off.
            "accept" => ([.. optional.Where(c => !consent.GlobalPrivacyControl || !consent.IsCoveredByGlobalPrivacyControl(c)).Select(c => c.Id)], CookieConsentAction.AcceptAll),
            "reject" => ([], CookieConsentAction.RejectAll),
            "save" => (posted.Where(id => policy.FindCookieCategory(id)?.ConsentRequired != false).ToList(), CookieConsentAction.Choose),
            _ => ((IReadOnlyCollection<string>?)null, CookieConsentAction.Choose),
        };
        if (accepted is null)
        {
            return await ShowErrorAsync(text["Error.UnknownChoice"], posted, cancellationToken);
        }

        var outcome = await record.ExecuteAsync(HttpContext, accepted, action, cancellationToken);
        if (outcome == CookieConsentOutcome.UnknownCategory)
        {
            return await ShowErrorAsync(text["Error.UnknownCategory"], new HashSet<string>(), cancellationToken);
        }

        if (LocalReturnUrl() is { } back)
        {
            return LocalRedirect(back);
        }

        return Redirect(CultureLink.To("cookies") + (outcome == CookieConsentOutcome.Recorded ? "?status=saved" : "?status=unchanged"));
    }

    public string Names(IEnumerable<string> categoryIds)
    {
        var culture = System.Globalization.CultureInfo.CurrentUICulture;
        var names = categoryIds
            .Select(id => policy.FindCookieCategory(id))
            .Where(c => c is { ConsentRequired: true })
            .Select(c => c!.Name.Get(culture))
            .ToList();
        return names.Count == 0 ? text["History.NecessaryOnly"] : string.Join(", ", names);
    }

    private async Task<IActionResult> ShowErrorAsync(string message, IReadOnlySet<string> ticked, CancellationToken cancellationToken)
    {
        Error = message;
        Ticked = ticked;
        ModelState.Clear();
        await LoadHistoryAsync(cancellationToken);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task LoadHistoryAsync(CancellationToken cancellationToken) =>
        History = await history.LoadAsync(consent.Stored?.ConsentId, User.SubjectId(), HistoryRows, cancellationToken);

    private string? LocalReturnUrl() =>
        ReturnUrl is { Length: <= 2048 } && Url.IsLocalUrl(ReturnUrl) && !ReturnUrl.StartsWith("/\\", StringComparison.Ordinal) ? ReturnUrl : null;
}
