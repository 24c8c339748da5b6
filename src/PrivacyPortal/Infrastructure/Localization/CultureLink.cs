using System.Globalization;

namespace PrivacyPortal.Infrastructure.Localization;

/// <summary>Paths of person-facing pages in the current culture, e.g. <c>CultureLink.To("my-data")</c> → <c>/nb/my-data</c>.</summary>
public static class CultureLink
{
    public static string Current => PortalCultures.IsSupported(CultureInfo.CurrentUICulture.Name) ? CultureInfo.CurrentUICulture.Name : PortalCultures.Default;

    public static string To(string relativePath) => $"/{Current}/{relativePath.TrimStart('/')}";
}
