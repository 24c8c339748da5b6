using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.Errors;

/// <summary>
/// The one error page: a clear sentence in the visitor's language, never a stack trace. It is
/// reached by re-execution, so the path that failed tells the culture when it has one.
/// </summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class IndexModel(IStringLocalizer<Localization.SharedResource> text) : PageModel
{
    public string Title { get; private set; } = "";

    public string Message { get; private set; } = "";

    public string Culture { get; private set; } = PortalCultures.Default;

    public void OnGet(int code) => Build(code);

    public void OnPost(int code) => Build(code);

    private void Build(int code)
    {
        var original = HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>()?.OriginalPath
            ?? HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerPathFeature>()?.Path;
        var segment = original?.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        Culture = PortalCultures.IsSupported(segment) ? segment! : PortalCultures.FromAcceptLanguage(Request.Headers.AcceptLanguage);
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(Culture);

        var key = code switch
        {
            400 => "Error.400",
            403 => "Error.403",
            404 => "Error.404",
            405 => "Error.405",
            429 => "Error.429",
            _ when code >= 500 => "Error.500",
            _ => "Error.Other",
        };
        Title = text[key + ".Title"];
        Message = text[key + ".Body"];
        Response.StatusCode = code is >= 400 and <= 599 ? code : 500;
    }
}
