using System.ComponentModel.DataAnnotations;

namespace PrivacyPortal.Infrastructure;

public sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>
    /// The address people reach the portal at. Every link in an email and the OIDC issuer are built
    /// from it, never from the request's Host header, which an attacker controls.
    /// </summary>
    [Required]
    public Uri PublicBaseUrl { get; set; } = new("http://localhost:5080");

    /// <summary>Seed the demo people of DESIGN.md at start-up (Development default).</summary>
    public bool SeedDemoData { get; set; }

    /// <summary>Builds an absolute URL for <paramref name="pathAndQuery"/> from <see cref="PublicBaseUrl"/>.</summary>
    public Uri Link(string pathAndQuery)
    {
        var baseText = PublicBaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(baseText + "/" + pathAndQuery.TrimStart('/'));
    }
}
