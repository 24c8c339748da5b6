using Microsoft.Net.Http.Headers;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// Discovery and JWKS are the same document for every caller until the signing keys change, but
/// OpenIddict builds each answer anew (a DI scope, dozens of event handlers, and for JWKS an export
/// of every key through OpenSSL). The first GET after a key change goes through OpenIddict as
/// before; its answer is kept and served to every later GET until the key set changes again. The
/// bytes are OpenIddict's own document with our handlers' changes (<see cref="OurDiscovery"/>,
/// <see cref="OurJwks"/>), never one written here.
/// </summary>
internal sealed class ProviderDocumentCache(RequestDelegate next, SigningKeyStore keys)
{
    private CachedDocument? discovery;
    private CachedDocument? jwks;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) || request.QueryString.HasValue)
        {
            await next(context);
            return;
        }

        var path = request.Path;
        var isDiscovery = path.Equals(OidcEndpoints.Discovery, StringComparison.Ordinal);
        if (!isDiscovery && !path.Equals(OidcEndpoints.Jwks, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var set = await keys.GetAsync(context.RequestAborted);
        var cached = isDiscovery ? discovery : jwks;
        // The scheme is part of the key: outside Development OpenIddict refuses plain HTTP, and a
        // document kept from an HTTPS request must not answer one.
        if (cached is not null && ReferenceEquals(cached.Keys, set) && cached.Scheme == request.Scheme)
        {
            context.Response.ContentType = cached.ContentType;
            context.Response.ContentLength = cached.Body.Length;
            await context.Response.Body.WriteAsync(cached.Body, context.RequestAborted);
            return;
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = captured.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status200OK && context.Response.ContentType is { } contentType
            && !context.Response.Headers.ContainsKey(HeaderNames.SetCookie))
        {
            var document = new CachedDocument(set, request.Scheme, contentType, body);
            if (isDiscovery)
            {
                discovery = document;
            }
            else
            {
                jwks = document;
            }
        }

        await original.WriteAsync(body, context.RequestAborted);
    }

    private sealed record CachedDocument(SigningKeySet Keys, string Scheme, string ContentType, byte[] Body);
}

public static class ProviderDocumentCacheRegistration
{
    /// <summary>Goes before the error pages, routing and authentication: a cached answer needs none of them.</summary>
    public static IApplicationBuilder UseCachedProviderDocuments(this IApplicationBuilder app) =>
        app.UseMiddleware<ProviderDocumentCache>();
}
