using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SampleStore.SignIn;
using SampleStore.StoreApi;

namespace SampleStore.Pages;

public sealed class IndexModel(StoreSync sync, StoreData data) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "signin")]
    public string? SignInOutcome { get; set; }

    [BindProperty(SupportsGet = true, Name = "order")]
    public string? PlacedOrder { get; set; }

    public bool SignInFailed => SignInOutcome == "failed";

    /// <summary>The order just placed, if it is this person's.</summary>
    public SampleOrder? Placed { get; private set; }

    public void OnGet()
    {
        if (PlacedOrder is not null && data.FindOrder(PlacedOrder) is { } order && order.Sub == User.FindFirst(PortalClaims.Subject)?.Value)
        {
            Placed = order;
        }
    }

    /// <summary>Takes a sample order for the signed-in person; the store pushes it to the portal as an <c>orders</c> record.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (User.Identity?.IsAuthenticated != true)
        {
            return Challenge();
        }

        var sub = User.FindFirst(PortalClaims.Subject)!.Value;
        var order = await sync.PlaceOrderAsync(sub, User.FindFirst(PortalClaims.Email)?.Value, User.Identity?.Name, cancellationToken);
        return RedirectToPage(new { order = order.ExternalId });
    }
}
