using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.People;

/// <summary>
/// A stop (newsletter, a marketing channel, a consent, or everything of a company) the person asked
/// for by phone or in a store, recorded through the one preference writer with the staff member and
/// the channel in its history. Staff can only stop, never switch on (Art. 21(3)).
/// </summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class StopModel(
    PortalDbContext db,
    PolicyCatalog policy,
    PreferenceText describe,
    ChangeMarketingPreferenceCommand change,
    StaffAudit audit,
    IStringLocalizer<Localization.Staff> text) : PageModel
{
    public static IReadOnlyList<PreferenceChannel> Channels { get; } = [PreferenceChannel.Phone, PreferenceChannel.InStore];

    [BindProperty]
    public string? Preference { get; set; }

    [BindProperty]
    public string? Channel { get; set; }

    public string PersonName { get; private set; } = "";

    public IReadOnlyList<(string Value, string Label)> Options { get; private set; } = [];

    [TempData(Key = "Staff.Status")]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
        {
            return NotFound();
        }

        var keys = Parse(Preference);
        var channel = Channels.FirstOrDefault(c => string.Equals(c.ToString(), Channel, StringComparison.Ordinal));
        if (keys.Count == 0)
        {
            ModelState.AddModelError(nameof(Preference), text["Stop.Error.Preference"]);
        }

        if (!Channels.Contains(channel) || !string.Equals(channel.ToString(), Channel, StringComparison.Ordinal))
        {
            ModelState.AddModelError(nameof(Channel), text["Stop.Error.Channel"]);
        }

        if (ModelState.ErrorCount > 0)
        {
            return Page();
        }

        var staffId = User.RequiredSubjectId();
        var result = await change.ExecuteAsync(id, [.. keys.Select(k => new PreferenceChange(k, Enable: false))], PreferenceActor.Staff(staffId, channel), cancellationToken);
        audit.Add(StaffAudit.Actions.RecordedStop, id, $"{Preference} by {channel}: {result.Outcome}", staffId);
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = result.Outcome == PreferenceChangeOutcome.Changed ? text["Stop.Done"] : text["Stop.Unchanged"];
        return Redirect($"/staff/people/{id}/stop");
    }

    /// <summary><c>all:{controller}</c>, or <c>{controller}|{kind}|{target}</c> of a preference the policy offers.</summary>
    private List<PreferenceKey> Parse(string? value)
    {
        if (value is null || !Options.Any(o => o.Value == value))
        {
            return [];
        }

        if (value.StartsWith("all:", StringComparison.Ordinal))
        {
            return [.. PreferenceKey.AllOf(policy, value[4..])];
        }

        return value.Split('|') is [var controller, var kind, var target] && Enum.TryParse<PreferenceKind>(kind, out var parsed)
            ? [new PreferenceKey(controller, parsed, target)]
            : [];
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var person = await db.Users.AsNoTracking().Where(u => u.Id == id && u.Kind != AccountKind.Staff)
            .Select(u => new { u.DisplayName, u.Email }).FirstOrDefaultAsync(cancellationToken);
        if (person is null)
        {
            return false;
        }

        PersonName = string.IsNullOrEmpty(person.DisplayName) ? person.Email ?? "" : person.DisplayName;
        var options = new List<(string, string)>();
        foreach (var controller in policy.Controllers)
        {
            options.Add(($"all:{controller.Id}", text["Stop.All", controller.LegalName]));
            options.AddRange(PreferenceKey.AllOf(policy, controller.Id)
                .Select(k => ($"{k.ControllerId}|{k.Kind}|{k.Target}", $"{controller.LegalName}: {describe.Name(k)}")));
        }

        Options = options;
        return true;
    }
}
