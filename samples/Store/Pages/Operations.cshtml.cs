using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SampleStore.SignIn;
using SampleStore.StoreApi;

namespace SampleStore.Pages;

public sealed class OperationsModel(StoreData data, StoreActivity activity, StoreSessions sessions, StoreSync sync) : PageModel
{
    public StoreData Data => data;

    public IReadOnlyList<ActivityLine> Activity => activity.Lines;

    public int SessionCount => sessions.Count;

    public void OnGet()
    {
    }

    /// <summary>One round with the store API now, instead of waiting for the next interval.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await sync.RunOnceAsync(cancellationToken);
        return RedirectToPage();
    }
}
