using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrivacyPortal.Features.Reports;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.RecordsOfProcessing;

/// <summary>
/// The record of processing activities (Art. 30(1)) generated from the policy: as a page, a
/// printable page (<c>/print</c>) and a CSV download (<c>/csv</c>). Each view and download is audited.
/// </summary>
[Authorize(Policy = StaffPolicies.PrivacyOfficer)]
public sealed class IndexModel(RecordOfProcessing record, StaffAudit audit) : PageModel
{
    public RecordOfProcessing Record => record;

    public IReadOnlyList<ProcessingRecord> Records { get; private set; } = [];

    /// <summary>The printable page: no navigation, every section open, print styles.</summary>
    public bool Printable { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => ShowAsync("page", cancellationToken);

    public Task OnGetPrintAsync(CancellationToken cancellationToken)
    {
        Printable = true;
        return ShowAsync("printable page", cancellationToken);
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken cancellationToken)
    {
        var csv = record.Csv();
        var culture = CultureInfo.CurrentUICulture.Name;
        await audit.RecordViewAsync(StaffAudit.Actions.DownloadedRecordsOfProcessing, null, $"revision {record.Revision}, CSV, {culture}", cancellationToken);
        return File(csv, "text/csv; charset=utf-8", $"records-of-processing-{record.Revision}-{culture}.csv");
    }

    private async Task ShowAsync(string how, CancellationToken cancellationToken)
    {
        Records = record.Build();
        await audit.RecordViewAsync(StaffAudit.Actions.ViewedRecordsOfProcessing, null, $"revision {record.Revision}, {how}, {CultureInfo.CurrentUICulture.Name}", cancellationToken);
    }
}
