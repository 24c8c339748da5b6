using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.MyData;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Pages.MyData;

/// <summary>
/// The download. POST only (with antiforgery), and always the signed-in person's own data: there
/// is no id to change, so nobody can ask for someone else's.
/// </summary>
[Authorize]
public sealed class ExportModel(PersonalDataExport export, PortalDbContext db, TimeProvider time) : PageModel
{
    public IActionResult OnGet() => Redirect(CultureLink.To("my-data"));

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var subjectId = User.RequiredSubjectId();
        var now = time.GetUtcNow();
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredAt = now,
            ActorId = subjectId,
            SubjectId = subjectId,
            Action = "my-data.exported",
            IpAddress = HttpContext.Connection.RemoteIpAddress?.ToString(),
        });
        await db.SaveChangesAsync(cancellationToken);

        Response.ContentType = "application/zip";
        Response.Headers.ContentDisposition = $"attachment; filename=\"innore-my-data-{now:yyyy-MM-dd}.zip\"";
        Response.Headers.CacheControl = "no-store";
        await export.WriteZipAsync(subjectId, Response.Body, CultureInfo.CurrentUICulture, cancellationToken);
        return new EmptyResult();
    }
}
