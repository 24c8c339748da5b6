using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.Retention;

/// <summary>The dry run of the retention sweep: what it deletes or anonymises on a day (today, or a day the officer picks), and when it last ran.</summary>
[Authorize(Policy = StaffPolicies.PrivacyOfficer)]
public sealed class IndexModel(RetentionSweep sweep, JobLeases leases, RetentionJob job, StaffAudit audit, PolicyCatalog policy, TimeProvider time) : PageModel
{
    public const int ExamplesPerCategory = 10;

    [BindProperty(SupportsGet = true, Name = "on")]
    public DateOnly? On { get; set; }

    public RetentionReport Report { get; private set; } = null!;

    public JobLease? LastRun { get; private set; }

    /// <summary>The fields the sweep keeps when it anonymises the category, or null when it deletes.</summary>
    /// <summary>The policy's rules for the portal's own records, which the same daily sweep applies.</summary>
    public IReadOnlyList<PortalRecordRule> PortalRecordRules => policy.Document.PortalRecords;

    public IReadOnlyList<string>? AnonymisationKeeps(string controllerId, string categoryId) =>
        policy.FindCategory(controllerId, categoryId)?.Anonymisation?.KeepFields;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var today = Deadlines.Day(time.GetUtcNow());
        var day = On is { } on && on >= today && on <= today.AddYears(20) ? on : today;
        On = day;
        Report = await sweep.PreviewAsync(day, cancellationToken);
        LastRun = await leases.FindAsync(job.Name, cancellationToken);
        await audit.RecordViewAsync(StaffAudit.Actions.ViewedRetentionReport, null, $"{day:yyyy-MM-dd}: {Report.Expired.Count} record(s)", cancellationToken);
    }
}
