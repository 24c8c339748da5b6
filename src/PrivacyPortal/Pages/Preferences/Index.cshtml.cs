using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Preferences;

/// <summary>
/// Newsletter, objections to direct marketing and consents, per company, each changed by one
/// button, with the history below. Not [Authorize]: a POST whose session has ended must reach
/// the sign-in with the change it carried (and come back to confirm it), rather than be lost. The
/// antiforgery token is therefore checked here by hand, for signed-in posts, before anything changes.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class IndexModel(
    PortalDbContext db,
    PolicyCatalog policy,
    MarketingPreferenceState state,
    ChangeMarketingPreferenceCommand change,
    ObjectToAllMarketingCommand objectToAll,
    PreferenceText describe,
    IAntiforgery antiforgery,
    IDataProtectionProvider dataProtection,
    IOptions<PreferencesOptions> options,
    TimeProvider time,
    Infrastructure.Time.PersonTime dates,
    IStringLocalizer<Localization.Preferences> text) : PageModel
{
    public const int HistoryRows = 200;

    [BindProperty]
    public ChangeInput Input { get; set; } = new();

    /// <summary>A change carried through the sign-in, protected.</summary>
    [BindProperty(SupportsGet = true, Name = "pending")]
    [StringLength(1000)]
    public string? Pending { get; set; }

    [BindProperty(SupportsGet = true, Name = "status")]
    [StringLength(20)]
    public string? Status { get; set; }

    /// <summary>The one preference a saved change was about (<c>controller/kind/target</c>), so the notice can name it.</summary>
    [BindProperty(SupportsGet = true, Name = "changed")]
    [StringLength(200)]
    public string? Changed { get; set; }

    /// <summary>The preference <see cref="Changed"/> names, when it is one the policy knows.</summary>
    public PreferenceKey? ChangedItem { get; private set; }

    public IReadOnlyDictionary<PreferenceKey, CurrentPreference> Current { get; private set; } = new Dictionary<PreferenceKey, CurrentPreference>();

    public IReadOnlyList<HistoryRow> History { get; private set; } = [];

    public PendingPreferenceChange? PendingChange { get; private set; }

    public bool PendingExpired { get; private set; }

    public string? Error { get; private set; }

    public string? StatusMessage => Status switch
    {
        "saved" when ChangedItem is { } key && Current.TryGetValue(key, out var now) =>
            text["Status.SavedOne", describe.ControllerName(key.ControllerId), describe.Name(key), describe.State(key.Kind, now.Enabled)].Value,
        "saved" => text["Status.Saved"].Value,
        "unchanged" => text["Status.Unchanged"].Value,
        _ => null,
    };

    public IReadOnlyList<DataController> Controllers => policy.Controllers;

    public PreferenceText Describe => describe;

    public sealed class ChangeInput
    {
        [StringLength(64)]
        public string? Controller { get; set; }

        [StringLength(32)]
        public string? Kind { get; set; }

        [StringLength(64)]
        public string? Target { get; set; }

        public bool Enable { get; set; }
    }

    public sealed record HistoryRow(DateTimeOffset At, string Company, string What, string Change, string By, string Via, string Revision);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (User.SubjectId() is not { } subjectId)
        {
            return Challenge();
        }

        if (Pending is not null)
        {
            PendingChange = PendingPreferenceChange.Read(Pending, dataProtection, time);
            PendingExpired = PendingChange is null;
        }

        ChangedItem = ParseChanged(Changed);
        await LoadAsync(subjectId, cancellationToken);
        return Page();
    }

    /// <summary>A POST naming no handler (no form of ours sends one): an unknown choice, never a half-built page.</summary>
    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) => ApplyAsync(null, cancellationToken);

    /// <summary>One preference, one button.</summary>
    public Task<IActionResult> OnPostChangeAsync(CancellationToken cancellationToken)
    {
        // Names only: Enum.TryParse would also take "2" or "1,2".
        var kind = Enum.GetNames<PreferenceKind>().Contains(Input.Kind, StringComparer.Ordinal) ? Enum.Parse<PreferenceKind>(Input.Kind!) : (PreferenceKind?)null;
        var pending = kind is null || string.IsNullOrEmpty(Input.Controller) || string.IsNullOrEmpty(Input.Target)
            ? null
            : new PendingPreferenceChange(false, Input.Controller, kind.Value, Input.Target, Input.Enable);
        return ApplyAsync(pending, cancellationToken);
    }

    /// <summary>"Object to everything", for one company or (no company) the whole group.</summary>
    public Task<IActionResult> OnPostObjectAllAsync(CancellationToken cancellationToken) =>
        ApplyAsync(new PendingPreferenceChange(true, string.IsNullOrEmpty(Input.Controller) ? null : Input.Controller, PreferenceKind.Newsletter, "", false), cancellationToken);

    /// <summary>The change carried through the sign-in, confirmed by the signed-in person.</summary>
    public async Task<IActionResult> OnPostConfirmAsync(CancellationToken cancellationToken)
    {
        var pending = PendingPreferenceChange.Read(Pending, dataProtection, time);
        if (pending is null && User.SubjectId() is { } subjectId)
        {
            PendingExpired = true;
            await LoadAsync(subjectId, cancellationToken);
            return Page();
        }

        return await ApplyAsync(pending, cancellationToken);
    }

    public string DescribePending(PendingPreferenceChange pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        if (pending.ObjectToAll)
        {
            return pending.ControllerId is null
                ? text["Pending.ObjectAllGroup"]
                : text["Pending.ObjectAllCompany", describe.ControllerName(pending.ControllerId)];
        }

        return text["Pending.One", describe.ControllerName(pending.Key.ControllerId), describe.Name(pending.Key), describe.State(pending.Kind, pending.Enable)];
    }

    public string Date(DateTimeOffset value) => dates.Date(value);

    private async Task<IActionResult> ApplyAsync(PendingPreferenceChange? pending, CancellationToken cancellationToken)
    {
        if (User.SubjectId() is not { } subjectId)
        {
            // The session ended while the page was open: keep the change and bring the person back to it.
            var back = CultureLink.To("preferences") + (pending is null ? "" : "?pending=" + Uri.EscapeDataString(pending.Protect(dataProtection, time, options)));
            // With htmx the sign-in must replace the whole page, not be swapped into #preferences.
            var login = CultureLink.To("login") + "?returnUrl=" + Uri.EscapeDataString(back);
            if (Request.IsHtmx())
            {
                Response.Headers[Htmx.RedirectHeader] = login;
                return new OkResult();
            }

            return Redirect(login);
        }

        if (pending is null || !KnownTo(pending))
        {
            return await ShowErrorAsync(subjectId, text["Error.Unknown"], null, cancellationToken);
        }

        if (!await antiforgery.IsRequestValidAsync(HttpContext))
        {
            // Forged, replayed from another session, or simply stale: change nothing, offer it again.
            return await ShowErrorAsync(subjectId, text["Error.FormExpired"], pending, cancellationToken);
        }

        var actor = PreferenceActor.Person(subjectId);
        var result = pending.ObjectToAll
            ? await objectToAll.ExecuteAsync(subjectId, pending.ControllerId, actor, cancellationToken)
            : await change.ExecuteAsync(subjectId, [new PreferenceChange(pending.Key, pending.Enable)], actor, cancellationToken);
        var changed = pending.ObjectToAll ? "" : "&changed=" + Uri.EscapeDataString($"{pending.Key.ControllerId}/{pending.Key.Kind}/{pending.Key.Target}");
        return result.Outcome switch
        {
            PreferenceChangeOutcome.Changed => Redirect(CultureLink.To("preferences") + "?status=saved" + changed),
            PreferenceChangeOutcome.Unchanged => Redirect(CultureLink.To("preferences") + "?status=unchanged" + changed),
            PreferenceChangeOutcome.Unknown => await ShowErrorAsync(subjectId, text["Error.Unknown"], null, cancellationToken),
            _ => await ShowErrorAsync(subjectId, text["Error.Failed"], null, cancellationToken),
        };
    }

    private PreferenceKey? ParseChanged(string? changed)
    {
        var parts = changed?.Split('/') ?? [];
        if (parts.Length != 3 || !Enum.GetNames<PreferenceKind>().Contains(parts[1], StringComparer.Ordinal))
        {
            return null;
        }

        var key = new PreferenceKey(parts[0], Enum.Parse<PreferenceKind>(parts[1]), parts[2]);
        return key.ExistsIn(policy) ? key : null;
    }

    private bool KnownTo(PendingPreferenceChange pending) =>
        pending.ObjectToAll
            ? pending.ControllerId is null || policy.FindController(pending.ControllerId) is not null
            : pending.Key.ExistsIn(policy);

    private async Task<IActionResult> ShowErrorAsync(Guid subjectId, string message, PendingPreferenceChange? offerAgain, CancellationToken cancellationToken)
    {
        Error = message;
        PendingChange = offerAgain;
        Pending = offerAgain?.Protect(dataProtection, time, options);
        ModelState.Clear();
        await LoadAsync(subjectId, cancellationToken);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        if (Request.IsHtmx())
        {
            // A button asked for its own item only; a message (and a change offered again) needs the whole list.
            Response.Headers[Htmx.RetargetHeader] = "#preferences";
            Response.Headers[Htmx.ReselectHeader] = "#preferences";
            Response.Headers[Htmx.ReswapHeader] = "outerHTML show:window:top";
        }

        return Page();
    }

    private async Task LoadAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        Current = await state.LoadAsync(subjectId, cancellationToken);
        var rows = await db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderByDescending(r => r.Id)
            .Take(HistoryRows)
            .Select(r => new { r.OccurredAt, r.ControllerId, r.Kind, r.Target, r.Enabled, r.Actor, r.Channel, r.PolicyRevision })
            .ToListAsync(cancellationToken);
        History = [.. rows.Select(r => new HistoryRow(
            r.OccurredAt,
            describe.ControllerName(r.ControllerId),
            describe.Name(new PreferenceKey(r.ControllerId, r.Kind, r.Target)),
            describe.State(r.Kind, r.Enabled),
            describe.Actor(r.Actor),
            describe.Channel(r.Channel),
            r.PolicyRevision))];
    }
}
