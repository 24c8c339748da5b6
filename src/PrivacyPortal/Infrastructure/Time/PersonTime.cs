using System.Globalization;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Cookies;

namespace PrivacyPortal.Infrastructure.Time;

/// <summary>
/// Dates and times for the person reading this page, in their language and zone. The zone is the
/// browser's (a cookie site.js writes: on customer pages only with preference consent; always on
/// staff pages and while staff view as a customer), else the zone of the company holding most of a
/// customer's data, else the company of the page's language; staff default to the group's first
/// zone. Pages never say "UTC".
/// </summary>
public sealed class PersonTime(
    IHttpContextAccessor accessor,
    TimeZones zones,
    IServiceProvider services,
    TimeProvider time,
    IWebHostEnvironment environment)
{
    public const string CookieBaseName = "pp.tz";

    private TimeZoneInfo? _zone;

    public string CookieName { get; } = CookieNames.For(environment, CookieBaseName);

    public TimeZoneInfo Zone => _zone ??= Resolve();

    /// <summary>The IANA id of <see cref="Zone"/>, for site.js to compare with the browser's.</summary>
    public string ZoneId => Zone.HasIanaId ? Zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(Zone.Id, out var iana) ? iana : Zone.Id;

    /// <summary>Whether site.js may remember the browser's zone in a cookie on this page.</summary>
    public bool MayStoreBrowserZone
    {
        get
        {
            var http = accessor.HttpContext;
            // Staff viewing as a customer are still staff: the zone is their browser's own.
            return http is not null
                && (IsStaffArea(http) || http.User.IsImpersonating() || services.GetRequiredService<CookieConsentState>().AllowsLanguageCookie);
        }
    }

    public DateOnly Today => DateTexts.Day(time.GetUtcNow(), Zone);

    public string Date(DateOnly date) => DateTexts.Date(date, CultureInfo.CurrentUICulture);

    public string Date(DateTimeOffset at) => DateTexts.Date(at, Zone, CultureInfo.CurrentUICulture);

    public string DateTime(DateTimeOffset at) => DateTexts.DateTime(at, Zone, CultureInfo.CurrentUICulture);

    public string Time(DateTimeOffset at) => DateTexts.Time(at, Zone);

    public DateOnly Day(DateTimeOffset at) => DateTexts.Day(at, Zone);

    /// <summary>The zone of the company holding most of a person's records: their emails use it.</summary>
    public static async Task<TimeZoneInfo> OfSubjectAsync(PortalDbContext db, TimeZones zones, Guid subjectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(zones);
        var controller = await db.Set<HeldRecordCount>().AsNoTracking()
            .Where(c => c.SubjectId == subjectId)
            .GroupBy(c => c.ControllerId)
            .Select(g => new { Controller = g.Key, Count = g.Sum(c => c.Count) })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Controller)
            .Select(g => g.Controller)
            .FirstOrDefaultAsync(cancellationToken);
        return controller is null ? zones.GroupDefault : zones.OfController(controller);
    }

    private TimeZoneInfo Resolve()
    {
        var http = accessor.HttpContext;
        if (http is null)
        {
            return zones.GroupDefault;
        }

        if (MayStoreBrowserZone && TimeZones.Find(http.Request.Cookies[CookieName]) is { } browser)
        {
            return browser;
        }

        if (IsStaffArea(http) || http.User.IsImpersonating())
        {
            return zones.GroupDefault;
        }

        if (http.User.SubjectId() is { } subjectId)
        {
            // Only when a page shows a time, once per request; a few rows kept by triggers.
            var db = services.GetRequiredService<PortalDbContext>();
            return OfSubjectAsync(db, zones, subjectId, http.RequestAborted).GetAwaiter().GetResult();
        }

        return zones.ForCulture(CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);
    }

    private static bool IsStaffArea(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/staff", StringComparison.OrdinalIgnoreCase);
}
