using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>The "Access by customer service" list on my-data (Pages/Shared/Components/StaffAccess).</summary>
public sealed class StaffAccessViewComponent(PortalDbContext db, TimeProvider time, IOptions<ImpersonationOptions> options) : ViewComponent
{
    public const int Shown = 50;

    /// <param name="rows">The lines when the page has read them already (my-data on PostgreSQL reads them with its other queries); null reads them here.</param>
    public async Task<IViewComponentResult> InvokeAsync(IReadOnlyList<StaffAccessRow>? rows)
    {
        rows ??= UserClaimsPrincipal.SubjectId() is { } id
            ? await StaffAccessQuery.ForAsync(db, id, time.GetUtcNow(), options.Value.ShowStaffAs, Shown, HttpContext.RequestAborted)
            : [];
        return View(rows);
    }
}
