using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace PrivacyPortal.Testing.Web;

/// <summary>
/// An HttpClient that keeps cookies like a browser and never follows redirects, so tests see every
/// 302 and Set-Cookie, plus helpers to read pages as AngleSharp documents.
/// </summary>
/// <remarks>Cookies marked Secure are only sent to https addresses, as a browser would.</remarks>
public sealed class CookieAwareClient : IDisposable
{
    public CookieAwareClient(HttpMessageHandler transport, Uri baseAddress)
    {
        ArgumentNullException.ThrowIfNull(transport);
        Cookies = new CookieContainer();
        Http = new HttpClient(new CookieContainerHandler(Cookies) { InnerHandler = transport }, disposeHandler: true)
        {
            BaseAddress = baseAddress,
        };
    }

    /// <summary>A client for a server on a real socket.</summary>
    public static CookieAwareClient ForServer(Uri baseAddress) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, baseAddress);

    public HttpClient Http { get; }

    public CookieContainer Cookies { get; }

    public Uri BaseAddress => Http.BaseAddress!;

    /// <summary>The value of a cookie the server set for the base address, or null.</summary>
    public string? GetCookie(string name) => Cookies.GetCookies(BaseAddress)[name]?.Value;

    public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url);

    /// <summary>GETs a page and parses it; throws with the status and body unless it is 2xx.</summary>
    public async Task<IDocument> GetPageAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        return await ParsePageAsync(response);
    }

    /// <summary>Posts fields as application/x-www-form-urlencoded (no antiforgery token added; see <see cref="HtmlForm"/>).</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var content = new FormUrlEncodedContent(fields);
        return await Http.PostAsync(url, content);
    }

    /// <summary>Follows one redirect with a GET; throws if <paramref name="response"/> is not a redirect.</summary>
    public Task<HttpResponseMessage> FollowRedirectAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        if (status is < 300 or > 399 || response.Headers.Location is null)
        {
            throw new InvalidOperationException($"Expected a redirect from {response.RequestMessage?.RequestUri}, got {status}.");
        }

        var location = response.Headers.Location.IsAbsoluteUri
            ? response.Headers.Location
            : new Uri(response.RequestMessage?.RequestUri ?? BaseAddress, response.Headers.Location);
        return Http.GetAsync(location);
    }

    /// <summary>Parses a successful HTML response, keeping its address so relative links and form actions resolve.</summary>
    public static async Task<IDocument> ParsePageAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var html = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {Truncate(html, 2000)}",
                inner: null,
                response.StatusCode);
        }

        var address = response.RequestMessage?.RequestUri?.ToString() ?? "http://localhost/";
        var context = BrowsingContext.New(Configuration.Default);
        return await context.OpenAsync(request => request.Content(html).Address(address));
    }

    public void Dispose() => Http.Dispose();

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length] + "…";
}
