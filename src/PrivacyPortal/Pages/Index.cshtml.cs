using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PrivacyPortal.Pages;

public sealed class IndexModel : PageModel
{
    public void OnGet()
    {
    }
}
