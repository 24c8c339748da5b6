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
    public const int MaxQueryLength = 256;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Query = Query?.Trim();
        if (string.IsNullOrEmpty(Query))
        {
            return;
        }

        if (Query.Length > MaxQueryLength)
        {
            await audit.RecordViewAsync(StaffAudit.Actions.SearchedPeople, null, $"query too long ({Query.Length} characters): {Query}", cancellationToken);
            return;
        }

        var upper = Query.ToUpperInvariant();
        Rows = await db.Users.AsNoTracking()
            .Where(u => u.Kind != AccountKind.Staff && (u.NormalizedEmail!.Contains(upper) || u.DisplayName.Contains(Query)))
            .OrderBy(u => u.DisplayName)
            .Take(MaxResults)
            .Select(u => new Row(u.Id, u.DisplayName, u.Email ?? "", u.Kind))
            .ToListAsync(cancellationToken);
        // The search is audited with what was searched for, so a trail can show who looked for whom; the
        // people it lists are not each "viewed" until their own page is opened (audited with them as subject).
        await audit.RecordViewAsync(StaffAudit.Actions.SearchedPeople, null, $"{Rows.Count} result(s) for \"{Query}\"", cancellationToken);
    }

    public sealed record Row(Guid Id, string Name, string Email, AccountKind Kind);
}
