using System.Text.RegularExpressions;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Infrastructure.Time;

/// <summary>
/// Which zone a person's times are shown in when their browser has not said: the zone of the
/// company (policy <c>controllers[].timeZone</c>), and validation of the zone a browser sends.
/// </summary>
public sealed partial class TimeZones(PolicyCatalog policy)
{
    /// <summary>The zone of a controller; a controller without one takes the group's first zone.</summary>
    public TimeZoneInfo OfController(string? controllerId)
    {
        var zone = controllerId is null ? null : policy.FindController(controllerId)?.TimeZone;
        return Find(zone) ?? GroupDefault;
    }

    /// <summary>The first zone the policy names: staff and people without data start there.</summary>
    public TimeZoneInfo GroupDefault =>
        policy.Document.Controllers.Select(c => Find(c.TimeZone)).FirstOrDefault(z => z is not null) ?? TimeZoneInfo.Utc;

    /// <summary>For a visitor we know nothing about: the company in the country of the page's language.</summary>
    public TimeZoneInfo ForCulture(string culture)
    {
        var country = culture switch
        {
            "nb" => "NO",
            "et" => "EE",
            _ => null,
        };
        var controller = policy.Document.Controllers.FirstOrDefault(c => c.Country == country && Find(c.TimeZone) is not null);
        return controller is null ? GroupDefault : OfController(controller.Id);
    }

    /// <summary>
    /// An IANA zone id ("Europe/Oslo") the system knows, or null. A browser sends this in a cookie,
    /// so anything else (Windows ids, offsets, odd characters, overlong text) is refused.
    /// </summary>
    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || !IanaId().IsMatch(id))
        {
            return null;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId ? zone : null;
    }

    [GeneratedRegex("^(?:UTC|[A-Z][A-Za-z_]+(?:/[A-Za-z0-9_+-]+){1,2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IanaId();
}
