using System.Reflection;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace PrivacyPortal.Tests.Support;

/// <summary>
/// One endpoint of the app that takes a POST (a page handler, or a minimal API taking POST, PUT,
/// PATCH or DELETE), with its URL (route values filled in) and the form fields it binds.
/// </summary>
public sealed record PostEndpoint(string Url, string Path, string Method, bool IsPage, bool ShortCircuit, IReadOnlyList<string> Fields)
{
    public override string ToString() => $"{Method} {Url}";
}

/// <summary>
/// Every POST handler of the app, read from its endpoint data sources (Razor Pages handlers and
/// minimal API endpoints), so a page added later is covered by the tests that use this without
/// changing them.
/// </summary>
public static class PostEndpoints
{
    /// <param name="routeValue">The value for a route parameter other than the culture (an id).</param>
    public static async Task<List<PostEndpoint>> AllAsync(PortalHost host, string culture = "nb", Func<string, string>? routeValue = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        routeValue ??= _ => Guid.NewGuid().ToString();
        var services = host.Factory.Services;
        var loader = services.GetRequiredService<PageLoader>();
        var found = new List<PostEndpoint>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var shortCircuit = endpoint.Metadata.Any(m => m.GetType().Name == "ShortCircuitMetadata");
            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content,
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart parameter => parameter.Name switch
                {
                    "culture" => culture,
                    "code" => "404",
                    _ => routeValue(parameter.Name),
                },
                _ => "",
            }))));
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = await loader.LoadAsync(page, endpoint.Metadata);
                var bound = compiled.BoundProperties.SelectMany(p => FieldsOf(((p.BindingInfo?.BinderModelName) ?? p.Name), p.ParameterType)).ToList();
                foreach (var handler in compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, "Post", StringComparison.OrdinalIgnoreCase)))
                {
                    var fields = bound.Concat(handler.Parameters
                        .Where(p => p.ParameterType != typeof(CancellationToken))
                        .SelectMany(p => FieldsOf((p.BindingInfo?.BinderModelName) ?? p.Name, p.ParameterType)))
                        .Distinct(StringComparer.Ordinal)
                        .ToList();
                    found.Add(new PostEndpoint(handler.Name is null ? path : $"{path}?handler={handler.Name}", path, "POST", true, shortCircuit, fields));
                }
            }
            else if (endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is { } methods)
            {
                foreach (var method in methods.HttpMethods.Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE"))
                {
                    found.Add(new PostEndpoint(path, path, method, false, shortCircuit, []));
                }
            }
        }

        return [.. found.DistinctBy(e => (e.Method, e.Url))];
    }

    /// <summary>The form names a bound value reads: itself for a simple value or a list of them, its properties (one level) for a model.</summary>
    private static IEnumerable<string> FieldsOf(string name, Type type)
    {
        if (IsSimple(type) || (type != typeof(string) && type.IsAssignableTo(typeof(System.Collections.IEnumerable))))
        {
            return [name];
        }

        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .Select(p => $"{name}.{p.Name}");
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Guid)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeSpan)
            || type.IsAssignableTo(typeof(Microsoft.AspNetCore.Http.IFormFile));
    }
}
