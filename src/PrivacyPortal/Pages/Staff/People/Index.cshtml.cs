using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.People;

/// <summary>Find a person by email or name, to open their staff page.</summary>
[Authorize(Policy = StaffPolicies.Staff)]
public sealed class IndexModel(PortalDbContext db, StaffAudit audit) : PageModel
{
    public const int MaxResults = 50;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Query = Query?.Trim();
        if (string.IsNullOrEmpty(Query) || Query.Length > 256)
        {
            return;
        }

        var upper = Query.ToUpperInvariant();
        Rows = await db.Users.AsNoTracking()
            .Where(u => u.Kind != AccountKind.Staff && (u.NormalizedEmail!.Contains(upper) || u.DisplayName.Contains(Query)))
            .OrderBy(u => u.DisplayName)
            .Take(MaxResults)
            .Select(u => new Row(u.Id, u.DisplayName, u.Email ?? "", u.Kind))
            .ToListAsync(cancellationToken);
        await audit.RecordViewAsync("staff.searched-people", null, $"{Rows.Count} result(s) for a query of {Query.Length} characters", cancellationToken);
    }

    public sealed record Row(Guid Id, string Name, string Email, AccountKind Kind);
}
