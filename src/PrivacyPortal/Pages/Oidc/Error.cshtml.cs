using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PrivacyPortal.Pages.Oidc;

/// <summary>
/// Where the provider stops when it must not redirect back to a store (unknown client, unregistered
/// redirect or post-logout URI): the error is told here, never sent to an address the store did not register.
/// </summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel : PageModel
{
    private static readonly string[] SignOutErrors = ["invalid_post_logout_redirect_uri", "invalid_id_token_hint", "invalid_logout_request"];

    private static readonly string[] Known = ["invalid_client", "invalid_redirect_uri", "invalid_request", .. SignOutErrors];

    /// <summary>The resource key of the message; only known errors are shown, never text from the URL.</summary>
    public string MessageKey { get; private set; } = "Error.invalid_request";

    /// <summary>The heading's resource key: a failed sign-out is not called a failed sign-in.</summary>
    public string TitleKey { get; private set; } = "Error.Title";

    public void OnGet(string? error)
    {
        MessageKey = "Error." + (Known.Contains(error) ? error : "invalid_request");
        TitleKey = SignOutErrors.Contains(error) ? "Error.Title.SignOut" : "Error.Title";
        Response.StatusCode = StatusCodes.Status400BadRequest;
    }
}
