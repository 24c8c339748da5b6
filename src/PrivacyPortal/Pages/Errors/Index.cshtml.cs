using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Errors;

/// <summary>
/// The one error page: a clear sentence in the visitor's language, never a stack trace.
/// </summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class IndexModel(IStringLocalizer<Localization.SharedResource> text) : PageModel
{
    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public string Culture { get; private set; } = PortalCultures.Default;

    // The code is read from the route, not model-bound: a POST re-executed here after a body that
    // could not be read (too large, malformed) would fail to bind again and turn a 4xx into a 500.
    public void OnGet() => Build(RouteCode());

    public void OnPost() => Build(RouteCode());

    private int RouteCode() =>
        int.TryParse(RouteData.Values["code"] as string, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) ? code : 500;

    private void Build(int code)
    {
        // The request localization middleware already chose the culture of the path that failed.
        Culture = CultureLink.Current;

        var key = code switch
        {
            400 => "Error.400",
            403 => "Error.403",
            404 => "Error.404",
            405 => "Error.405",
            413 => "Error.413",
            429 => "Error.429",
            _ when code >= 500 => "Error.500",
            _ => "Error.Other",
        };
        Title = text[key + ".Title"];
        Message = text[key + ".Body"];
        Response.StatusCode = code is >= 400 and <= 599 ? code : 500;
    }
}
