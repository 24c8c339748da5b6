using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SampleStore.SignIn;

namespace SampleStore.Pages.Account;

/// <summary>Who is signed in and what the portal's claims say; signing in is being sent here while signed out.</summary>
[Authorize]
public sealed class IndexModel(IOptions<StoreOptions> store, PrivacyClaimsRefresher refresher, RefreshTokenRevocation revocation) : PageModel
{
    public PrivacyView? Privacy { get; private set; }

    public DateTimeOffset? RefreshedAt { get; private set; }

    public string StoreName => store.Value.Name;

    public Uri ManagePrivacyUrl => store.Value.PortalPath(store.Value.Culture + "/preferences");

    public async Task OnGetAsync()
    {
        Privacy = PrivacyView.From(User);
        var authentication = await HttpContext.AuthenticateAsync();
        RefreshedAt = authentication.Properties is { } properties ? PrivacyClaimsRefresher.RefreshedAt(properties) : null;
    }

    /// <summary>Reads the claims again now (they are also renewed by themselves once they are older than Store:PrivacyClaimsMaxAge).</summary>
    public async Task<IActionResult> OnPostRefreshAsync(CancellationToken cancellationToken)
    {
        var authentication = await HttpContext.AuthenticateAsync();
        if (authentication.Properties?.Items.TryGetValue(StoreSessions.KeyItem, out var key) == true && key is not null
            && await refresher.RefreshAsync(key, store.Value.PrivacyClaimsMaxAge, force: true, cancellationToken) is null)
        {
            await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Redirect("/");
        }

        return RedirectToPage();
    }

    /// <summary>Ends the session here and at the portal (RP-initiated logout with the ID token as hint).</summary>
    public async Task<IActionResult> OnPostSignOutAsync(CancellationToken cancellationToken)
    {
        var authentication = await HttpContext.AuthenticateAsync();
        if (authentication.Ticket is { } ticket)
        {
            await revocation.RevokeAsync([ticket], cancellationToken);
        }

        return SignOut(new AuthenticationProperties { RedirectUri = "/" }, CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme);
    }
}
