using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff;

/// <summary>The request queue: open requests by deadline, with filters; overdue and nearly due ones stand out.</summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class IndexModel(PortalDbContext db, PolicyCatalog policy, StaffAudit audit, TimeProvider time) : PageModel
{
    public const int NearlyDueDays = 3;
    public const int PageSize = 200;

    [BindProperty(SupportsGet = true, Name = "kind")]
    public RequestKind? Kind { get; set; }

    [BindProperty(SupportsGet = true, Name = "company")]
    public string? Company { get; set; }

    /// <summary><c>open</c> (default), <c>all</c>, or a status name.</summary>
    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    /// <summary><c>soon</c> (within three days, overdue included) or <c>overdue</c>.</summary>
    [BindProperty(SupportsGet = true, Name = "due")]
    public string? Due { get; set; }

    public DateOnly Today { get; private set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public IReadOnlyList<DataController> Companies => policy.Controllers;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Today = Deadlines.Day(time.GetUtcNow());
        var query = db.Set<PrivacyRequest>().AsNoTracking();
        var open = new[] { RequestStatus.Received, RequestStatus.InProgress, RequestStatus.AwaitingPerson };
        if (Enum.TryParse<RequestStatus>(Status, ignoreCase: true, out var status) && Enum.IsDefined(status))
        {
            query = query.Where(r => r.Status == status);
        }
        else if (!string.Equals(Status, "all", StringComparison.OrdinalIgnoreCase))
        {
            Status = "open";
            // A carried-out request stays in the queue while recipients outside the stores are still to be told (Art. 19).
            var withOpenTasks = db.Set<ManualRecipientTask>().Where(t => t.DoneAt == null).Select(t => t.RequestId);
            query = query.Where(r => open.Contains(r.Status) || (r.Status == RequestStatus.Completed && withOpenTasks.Contains(r.Id)));
        }

        if (Kind is { } kind)
        {
            query = query.Where(r => r.Kind == kind);
        }

        if (policy.FindController(Company ?? "") is { } company)
        {
            var token = "," + company.Id + ",";
            query = query.Where(r => r.Controllers.Contains(token));
        }
        else
        {
            Company = null;
        }

        if (Due == "soon")
        {
            var limit = Today.AddDays(NearlyDueDays);
            query = query.Where(r => open.Contains(r.Status) && r.DueOn <= limit);
        }
        else if (Due == "overdue")
        {
            var today = Today;
            query = query.Where(r => open.Contains(r.Status) && r.DueOn < today);
        }
        else
        {
            Due = null;
        }

        Rows = await query
            .OrderBy(r => r.DueOn).ThenBy(r => r.ReceivedAt)
            .Take(PageSize)
            .Join(db.Users, r => r.SubjectId, u => u.Id, (r, u) => new Row(r.Id, r.Reference, u.DisplayName, u.Email, r.Kind, r.Status, r.Controllers, r.ReceivedAt, r.DueOn, r.ExtensionMonths,
                db.Set<ManualRecipientTask>().Count(t => t.RequestId == r.Id && t.DoneAt == null)))
            .ToListAsync(cancellationToken);
        await audit.RecordViewAsync(StaffAudit.Actions.ViewedQueue, null, $"{Rows.Count} request(s): {Request.QueryString}", cancellationToken);
    }

    public int DaysLeft(Row row) => row.DueOn.DayNumber - Today.DayNumber;

    public sealed record Row(Guid Id, string Reference, string PersonName, string? Email, RequestKind Kind, RequestStatus Status, string Controllers, DateTimeOffset ReceivedAt, DateOnly DueOn, int ExtensionMonths, int OpenManualTasks)
    {
        public bool IsOpen => PrivacyRequest.IsOpen(Status);
    }
}
