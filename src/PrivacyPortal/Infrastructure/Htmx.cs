namespace PrivacyPortal.Infrastructure;

/// <summary>
/// The few htmx request and response headers the server speaks. An htmx request follows a 3xx
/// inside its XMLHttpRequest and swaps in whatever the target page holds; sending people to
/// another page (the sign-in) therefore takes <c>HX-Redirect</c>, which makes the browser navigate.
/// </summary>
public static class Htmx
{
    public const string RequestHeader = "HX-Request";
    public const string RedirectHeader = "HX-Redirect";

    /// <summary>Where the answer goes instead of the element's own <c>hx-target</c>.</summary>
    public const string RetargetHeader = "HX-Retarget";

    /// <summary>Which part of the answer is swapped instead of the element's own <c>hx-select</c>.</summary>
    public const string ReselectHeader = "HX-Reselect";

    /// <summary>How the answer is swapped instead of the element's own <c>hx-swap</c>.</summary>
    public const string ReswapHeader = "HX-Reswap";

    public static bool IsHtmx(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.Equals(request.Headers[RequestHeader], "true", StringComparison.Ordinal);
    }

    /// <summary>A redirect the browser follows as a whole page: <c>HX-Redirect</c> for htmx, a 302 otherwise.</summary>
    public static void Redirect(HttpResponse response, string url)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.HttpContext.Request.IsHtmx())
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.Headers[RedirectHeader] = url;
        }
        else
        {
            response.Redirect(url);
        }
    }
}
