using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using PrivacyPortal.Features.Reports;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Pages.Staff.Reports;

/// <summary>The privacy officer's figures: requests, answers and deadlines, open Art. 19 tasks, cookie choices and unsubscribes per month.</summary>
[Authorize(Policy = StaffPolicies.PrivacyOfficer)]
public sealed class IndexModel(GetPrivacyReportQuery query, StaffAudit audit, RequestTexts texts, IStringLocalizer<PrivacyPortal.Localization.Reports> text) : PageModel
{
    public PrivacyReport Report { get; private set; } = null!;

    public IReadOnlyList<RequestKind> Kinds { get; } = Enum.GetValues<RequestKind>();

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Report = await query.ExecuteAsync(GetPrivacyReportQuery.DefaultMonths, cancellationToken);
        await audit.RecordViewAsync(StaffAudit.Actions.ViewedReports, null,
            $"{Report.Months.Months[0]:yyyy-MM} to {Report.Months.Months[^1]:yyyy-MM}: {Report.AnswerTotals.Received} request(s)", cancellationToken);
    }

    public static string Month(DateOnly month) => month.ToString("MMMM yyyy", CultureInfo.CurrentCulture);

    public static string Share(double? share) => share is { } s ? s.ToString("P0", CultureInfo.CurrentCulture) : "–";

    public static double? ShareOf(int value, int total) => total > 0 ? (double)value / total : null;

    public static string Days(double? days) => days is { } d ? d.ToString("0.#", CultureInfo.CurrentCulture) : "–";

    public StackedBarChart RequestsChart(RequestCounts counts) => new(
        text["Reports.Requests.Company", texts.ControllerName(counts.ControllerId)],
        Report.Months.Months,
        [.. Kinds.Select(k => new ChartSeries(texts.StaffKind(k), [.. counts.ByKind[k].Select(v => (double)v)]))]);

    public StackedBarChart AnswersChart() => new(
        text["Reports.Answers.Chart"],
        Report.Months.Months,
        [
            new ChartSeries(text["Reports.Answers.OnTime"], [.. Report.Answers.Select(a => (double)a.OnTime)]),
            new ChartSeries(text["Reports.Answers.Late"], [.. Report.Answers.Select(a => (double)a.Late)]),
            new ChartSeries(text["Reports.Answers.OpenOverdue"], [.. Report.Answers.Select(a => (double)a.OpenOverdue)]),
        ]);

    public StackedBarChart CookiesChart() => new(
        text["Reports.Cookies.Chart"],
        Report.Months.Months,
        [
            new ChartSeries(text["Reports.Cookies.AcceptAll"], [.. Report.CookieChoices.Select(c => (double)c.AcceptAll)]),
            new ChartSeries(text["Reports.Cookies.RejectAll"], [.. Report.CookieChoices.Select(c => (double)c.RejectAll)]),
            new ChartSeries(text["Reports.Cookies.Custom"], [.. Report.CookieChoices.Select(c => (double)c.Custom)]),
        ],
        shares: true);

    public StackedBarChart UnsubscribesChart() => new(
        text["Reports.Unsubscribes.Chart"],
        Report.Months.Months,
        [.. Report.Unsubscribes.Select(u => new ChartSeries(texts.ControllerName(u.ControllerId), [.. u.PerMonth.Select(v => (double)v)]))]);
}
