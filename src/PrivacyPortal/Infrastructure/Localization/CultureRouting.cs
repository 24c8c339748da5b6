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
/// Puts every person-facing page under <c>/{culture}/</c>; the staff area, the development
/// mailbox and machine endpoints keep their own fixed paths.
/// </summary>
public sealed class CultureRouteConvention : IPageRouteModelConvention
{
    private static readonly string[] UnlocalizedFolders = ["/Staff", "/Dev", "/Errors"];

    public void Apply(PageRouteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (UnlocalizedFolders.Any(f => model.ViewEnginePath.StartsWith(f, StringComparison.Ordinal)))
        {
            return;
        }

        foreach (var selector in model.Selectors)
        {
            var template = selector.AttributeRouteModel?.Template;
            if (template is null || template.StartsWith('/') || template.StartsWith("{culture", StringComparison.Ordinal))
            {
                continue;
            }

            selector.AttributeRouteModel!.Template = AttributeRouteModel.CombineTemplates(
                "{culture:" + CultureRouteConstraint.Name + "}", template);
        }
    }
}

/// <summary>Page folders are PascalCase; their URLs are kebab-case (<c>MyData</c> → <c>my-data</c>).</summary>
public sealed partial class KebabCaseTransformer : IOutboundParameterTransformer
{
    public string? TransformOutbound(object? value) =>
        value is null ? null : KebabRegex().Replace(value.ToString()!, "$1-$2").ToLowerInvariant();

    [System.Text.RegularExpressions.GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial System.Text.RegularExpressions.Regex KebabRegex();
}
