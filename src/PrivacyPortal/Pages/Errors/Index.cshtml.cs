using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
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
    public void OnGet() => Build(Code());

    public void OnPost() => Build(Code());

    /// <summary>
    /// A body that cannot be read as a form (broken percent escapes, NUL characters) throws where a
    /// page reads it itself (e.g. a manual antiforgery check): that is the client's fault, a 400.
    /// </summary>
    private int Code()
    {
        var code = RouteCode();
        var error = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        return code == 500 && IsMalformedRequest(error) ? 400 : code;
    }

    private static bool IsMalformedRequest(Exception? error) => error switch
    {
        null => false,
        InvalidDataException or BadHttpRequestException => true,
        AntiforgeryValidationException { InnerException: { } inner } => IsMalformedRequest(inner),
        _ => false,
    };

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
