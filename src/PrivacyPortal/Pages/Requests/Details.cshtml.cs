using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Requests;

/// <summary>
/// One request of the signed-in person: status, due date, plan or outcome, timeline and the message
/// thread. Another person's request id answers 404, as an unknown one does.
/// </summary>
[Authorize]
public sealed class DetailsModel(
    PortalDbContext db,
    AddRequestMessageCommand message,
    Features.Policy.PolicyCatalog policy,
    RequestTexts texts,
    IStringLocalizer<Localization.Requests> text) : PageModel
{
    public PrivacyRequest Item { get; private set; } = null!;

    public IReadOnlyList<PrivacyRequestEvent> Timeline { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> Plan { get; private set; } = [];

    public IReadOnlyList<ErasurePlanLine> Outcome { get; private set; } = [];

    /// <summary>Art. 19, last sentence: the recipients told of the rectification, erasure or restriction, and when.</summary>
    public IReadOnlyList<ToldRecipient> Told { get; private set; } = [];

    /// <param name="Name">A store of the group or a recipient of the policy.</param>
    /// <param name="ToldAt">Null while staff have yet to tell an outside recipient.</param>
    public sealed record ToldRecipient(string Name, DateTimeOffset? ToldAt);

    [TempData(Key = "Requests.Status")]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public string? Message { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostMessageAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await message.FromPersonAsync(id, User.RequiredSubjectId(), Message, cancellationToken);
        if (result.ErrorKey == "Error.NotFound")
        {
            return NotFound();
        }

        if (result.Succeeded)
        {
            StatusMessage = text["Details.MessageSent"];
            return Redirect(CultureLink.To($"requests/{id}") + "#thread");
        }

        ModelState.AddModelError(nameof(Message), result.Arguments is null ? text[result.ErrorKey!] : text[result.ErrorKey!, result.Arguments]);
        return await LoadAsync(id, cancellationToken) ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var me = User.RequiredSubjectId();
        var request = await db.Set<PrivacyRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.SubjectId == me, cancellationToken);
        if (request is null)
        {
            return false;
        }

        Item = request;
        Timeline = (await db.Set<PrivacyRequestEvent>().AsNoTracking().Where(e => e.RequestId == id).ToListAsync(cancellationToken))
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToList();
        Plan = ErasurePlanner.Deserialize(request.PlanJson);
        Outcome = ErasurePlanner.Deserialize(request.OutcomeJson);
        // A store is told when its task is there to pull; an outside recipient when staff mark it done.
        var stores = await db.Set<RecipientTask>().AsNoTracking().Where(t => t.RequestId == id).OrderBy(t => t.Id)
            .Select(t => new { t.StoreId, t.CreatedAt }).ToListAsync(cancellationToken);
        var manual = await db.Set<ManualRecipientTask>().AsNoTracking().Where(t => t.RequestId == id).OrderBy(t => t.Id)
            .Select(t => new { t.RecipientId, t.DoneAt }).ToListAsync(cancellationToken);
        Told = [
            .. stores.DistinctBy(t => t.StoreId).Select(t => new ToldRecipient(policy.FindStore(t.StoreId)?.Name ?? t.StoreId, t.CreatedAt)),
            .. manual.Select(t => new ToldRecipient(texts.Recipient(t.RecipientId), t.DoneAt)),
        ];
        return true;
    }
}
