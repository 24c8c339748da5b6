using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace PrivacyPortal.Infrastructure.Localization;

/// <summary>Matches only the supported culture names in the first URL segment; anything else is a 404.</summary>
public sealed class CultureRouteConstraint : IRouteConstraint
{
    public const string Name = "culture";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value is string text && PortalCultures.Names.Contains(text, StringComparer.Ordinal);
}

/// <summary>
/// Page folders are PascalCase, URLs kebab-case (<c>MyData</c> → <c>my-data</c>), and every
/// person-facing page lives under <c>/{culture}/</c>; the staff area, the development mailbox
/// and the error page keep their own fixed paths.
/// </summary>
public sealed class PortalRouteConvention : IPageRouteModelConvention
{
    private static readonly string[] UnlocalizedFolders = ["/Staff", "/Dev", "/Errors"];

    public void Apply(PageRouteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var localized = !UnlocalizedFolders.Any(f => model.ViewEnginePath.StartsWith(f, StringComparison.Ordinal));
        foreach (var selector in model.Selectors)
        {
            var template = selector.AttributeRouteModel?.Template;
            if (template is null || template.StartsWith('/'))
            {
                continue;
            }

            var kebab = string.Join('/', template.Split('/').Select(s => s.StartsWith('{') ? s : KebabCase.Convert(s)));
            selector.AttributeRouteModel!.Template = localized
                ? AttributeRouteModel.CombineTemplates("{culture:" + CultureRouteConstraint.Name + "}", kebab)
                : kebab;
        }
    }
}

/// <summary>Page folders are PascalCase; their URLs are kebab-case (<c>MyData</c> → <c>my-data</c>).</summary>
public static partial class KebabCase
{
    public static string Convert(string value) => KebabRegex().Replace(value, "$1-$2").ToLowerInvariant();

    [System.Text.RegularExpressions.GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial System.Text.RegularExpressions.Regex KebabRegex();
}
