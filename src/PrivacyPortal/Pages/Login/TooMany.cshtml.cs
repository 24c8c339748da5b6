using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PrivacyPortal.Pages.Login;

public sealed class TooManyModel : PageModel
{
    public void OnGet()
    {
    }
}
