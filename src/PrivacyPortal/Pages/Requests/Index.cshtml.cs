using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Pages.Requests;

/// <summary>The person's requests and complaints, newest first.</summary>
[Authorize]
public sealed class IndexModel(PortalDbContext db) : PageModel
{
    public IReadOnlyList<Row> Requests { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var me = User.RequiredSubjectId();
        Requests = await db.Set<PrivacyRequest>().AsNoTracking()
            .Where(r => r.SubjectId == me)
            .OrderByDescending(r => r.ReceivedAt)
            .Select(r => new Row(r.Id, r.Reference, r.Kind, r.Status, r.Controllers, r.ReceivedAt, r.DueOn, r.Channel))
            .ToListAsync(cancellationToken);
    }

    public sealed record Row(Guid Id, string Reference, RequestKind Kind, RequestStatus Status, string Controllers, DateTimeOffset ReceivedAt, DateOnly DueOn, RequestChannel Channel);
}
