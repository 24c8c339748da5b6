using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Features.Reports;

/// <summary>Requests received in a month for one company, by kind. A request to two companies counts for each.</summary>
public sealed record RequestCounts(string ControllerId, IReadOnlyDictionary<RequestKind, int[]> ByKind)
{
    public int[] Totals => [.. Enumerable.Range(0, ByKind.Values.FirstOrDefault()?.Length ?? 0).Select(m => ByKind.Values.Sum(v => v[m]))];
}

/// <summary>How the requests received in a month were answered (all companies).</summary>
/// <param name="Received">Requests received in the month.</param>
/// <param name="OnTime">Answered on or before their deadline in force (after an extension, the extended one).</param>
/// <param name="Late">Answered after their deadline.</param>
/// <param name="OpenOverdue">Not answered, and the deadline has passed.</param>
/// <param name="MedianDays">Median of the days from receipt to answer, of the answered ones; null when none is.</param>
public sealed record AnswerMonth(DateOnly Month, int Received, int OnTime, int Late, int OpenOverdue, int Extended, int Refused, double? MedianDays)
{
    /// <summary>Share answered on time of those whose answer is due (answered, or past the deadline); null when none is.</summary>
    public double? OnTimeShare => OnTime + Late + OpenOverdue is var due && due > 0 ? (double)OnTime / due : null;
}

/// <summary>Open Art. 19 tasks of one recipient: how many, and since when the oldest waits.</summary>
/// <param name="ByHand">A recipient outside the stores that staff tell by hand (<see cref="ManualRecipientTask"/>), not a store that confirms through the API.</param>
public sealed record OpenRecipientTasks(string RecipientId, RecipientTaskKind Kind, int Count, DateTimeOffset OldestSince, bool ByHand = false);

/// <summary>Cookie-banner choices made in a month.</summary>
public sealed record CookieChoiceMonth(DateOnly Month, int AcceptAll, int RejectAll, int Custom)
{
    public int Total => AcceptAll + RejectAll + Custom;
}

/// <summary>Newsletter unsubscribes per company in each month.</summary>
public sealed record UnsubscribeCounts(string ControllerId, int[] PerMonth);

public sealed record PrivacyReport(
    ReportMonths Months,
    DateOnly Today,
    IReadOnlyList<RequestCounts> Requests,
    IReadOnlyList<AnswerMonth> Answers,
    AnswerMonth AnswerTotals,
    IReadOnlyList<OpenRecipientTasks> OpenTasks,
    IReadOnlyList<CookieChoiceMonth> CookieChoices,
    IReadOnlyList<UnsubscribeCounts> Unsubscribes,
    DateTimeOffset ComputedAt);

/// <summary>
/// The privacy officer's figures over the last months. Every figure is a GROUP BY in the database
/// over an index that covers it (migration ReportFacts), so the page costs the same whether the
/// database holds a thousand requests or a hundred thousand; only the grouped rows come back.
/// </summary>
public sealed class GetPrivacyReportQuery(PortalDbContext db, PolicyCatalog policy, PrivacyReportCache cache, TimeProvider time)
{
    public const int DefaultMonths = 12;

    /// <summary>The report computed within the last <see cref="PrivacyReportCache.MaxAge"/>, or now.</summary>
    public Task<PrivacyReport> ExecuteAsync(int monthCount, CancellationToken cancellationToken) =>
        cache.GetAsync(monthCount, c => ComputeAsync(monthCount, c), cancellationToken);

    private async Task<PrivacyReport> ComputeAsync(int monthCount, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = Deadlines.Day(now);
        var months = new ReportMonths(today, monthCount);
        var (requests, answers, totals) = await RequestsAsync(months, today, cancellationToken);
        return new PrivacyReport(
            months,
            today,
            requests,
            answers,
            totals,
            await OpenTasksAsync(cancellationToken),
            await CookieChoicesAsync(months, cancellationToken),
            await UnsubscribesAsync(months, cancellationToken),
            now);
    }

    private async Task<(IReadOnlyList<RequestCounts>, IReadOnlyList<AnswerMonth>, AnswerMonth)> RequestsAsync(ReportMonths months, DateOnly today, CancellationToken cancellationToken)
    {
        var (from, until) = (months.From, months.Until);
        var inMonths = db.Set<PrivacyRequest>().AsNoTracking().Where(r => r.ReceivedAt >= from && r.ReceivedAt < until);

        // The controllers column has few distinct values (one company, or both), so grouping by it stays small.
        var groups = await inMonths
            .GroupBy(months.Bucket((PrivacyRequest r) => new { Month = ReportMonths.Index(r.ReceivedAt), r.Kind, r.Controllers }))
            .Select(g => new
            {
                g.Key.Month,
                g.Key.Kind,
                g.Key.Controllers,
                Received = g.Count(),
                OnTime = g.Count(r => r.AnsweredOn != null && r.AnsweredOn <= r.DueOn),
                Late = g.Count(r => r.AnsweredOn != null && r.AnsweredOn > r.DueOn),
                OpenOverdue = g.Count(r => r.AnsweredOn == null && r.DueOn < today),
                Extended = g.Count(r => r.ExtensionMonths > 0),
                Refused = g.Count(r => r.Answer == RequestEventKind.Refused),
            })
            .ToListAsync(cancellationToken);

        var days = await inMonths
            .Where(r => r.AnswerDays != null)
            .GroupBy(months.Bucket((PrivacyRequest r) => new { Month = ReportMonths.Index(r.ReceivedAt), Days = r.AnswerDays!.Value }))
            .Select(g => new { g.Key.Month, g.Key.Days, Count = g.Count() })
            .ToListAsync(cancellationToken);

        var count = months.Months.Count;
        var requests = policy.Controllers.Select(c =>
        {
            var byKind = Enum.GetValues<RequestKind>().ToDictionary(k => k, _ => new int[count]);
            foreach (var g in groups.Where(g => PrivacyRequest.Split(g.Controllers).Contains(c.Id)))
            {
                byKind[g.Kind][g.Month] += g.Received;
            }

            return new RequestCounts(c.Id, byKind);
        }).ToList();

        var answers = months.Months.Select((month, i) =>
        {
            var inMonth = groups.Where(g => g.Month == i).ToList();
            return new AnswerMonth(month, inMonth.Sum(g => g.Received), inMonth.Sum(g => g.OnTime), inMonth.Sum(g => g.Late), inMonth.Sum(g => g.OpenOverdue),
                inMonth.Sum(g => g.Extended), inMonth.Sum(g => g.Refused), Median(days.Where(d => d.Month == i).Select(d => (d.Days, d.Count))));
        }).ToList();

        var totals = new AnswerMonth(months.Months[0], answers.Sum(a => a.Received), answers.Sum(a => a.OnTime), answers.Sum(a => a.Late), answers.Sum(a => a.OpenOverdue),
            answers.Sum(a => a.Extended), answers.Sum(a => a.Refused), Median(days.Select(d => (d.Days, d.Count))));
        return (requests, answers, totals);
    }

    /// <summary>The median of values given as (value, how many times); the mean of the two middle ones for an even count.</summary>
    public static double? Median(IEnumerable<(int Value, int Count)> histogram)
    {
        var sorted = histogram.Where(h => h.Count > 0).GroupBy(h => h.Value).Select(g => (Value: g.Key, Count: g.Sum(h => h.Count))).OrderBy(h => h.Value).ToList();
        var total = sorted.Sum(h => h.Count);
        if (total == 0)
        {
            return null;
        }

        // 0-based positions of the middle value(s).
        var (low, high) = ((total - 1) / 2, total / 2);
        int? lowValue = null;
        var seen = 0;
        foreach (var (value, n) in sorted)
        {
            if (lowValue is null && low < seen + n)
            {
                lowValue = value;
            }

            if (high < seen + n)
            {
                return (lowValue!.Value + value) / 2.0;
            }

            seen += n;
        }

        return lowValue;
    }

    private async Task<IReadOnlyList<OpenRecipientTasks>> OpenTasksAsync(CancellationToken cancellationToken)
    {
        var stores = await db.Set<RecipientTask>().AsNoTracking()
            .Where(t => t.AcknowledgedAt == null)
            .GroupBy(t => new { t.StoreId, t.Kind })
            .Select(g => new { RecipientId = g.Key.StoreId, g.Key.Kind, Count = g.Count(), Oldest = g.Min(t => t.CreatedAt) })
            .ToListAsync(cancellationToken);
        var byHand = await db.Set<ManualRecipientTask>().AsNoTracking()
            .Where(t => t.DoneAt == null)
            .GroupBy(t => new { t.RecipientId, t.Kind })
            .Select(g => new { g.Key.RecipientId, g.Key.Kind, Count = g.Count(), Oldest = g.Min(t => t.CreatedAt) })
            .ToListAsync(cancellationToken);
        return
        [
            .. stores.OrderBy(r => r.RecipientId, StringComparer.Ordinal).ThenBy(r => r.Kind).Select(r => new OpenRecipientTasks(r.RecipientId, r.Kind, r.Count, r.Oldest)),
            .. byHand.OrderBy(r => r.RecipientId, StringComparer.Ordinal).ThenBy(r => r.Kind).Select(r => new OpenRecipientTasks(r.RecipientId, r.Kind, r.Count, r.Oldest, ByHand: true)),
        ];
    }

    private async Task<IReadOnlyList<CookieChoiceMonth>> CookieChoicesAsync(ReportMonths months, CancellationToken cancellationToken)
    {
        var (from, until) = (months.From, months.Until);
        // Only the choices people made on the banner or the settings page; carrying a choice to an account or a browser is no new choice.
        CookieConsentAction[] choices = [CookieConsentAction.AcceptAll, CookieConsentAction.RejectAll, CookieConsentAction.Choose];
        var rows = await db.Set<CookieConsentRecord>().AsNoTracking()
            .Where(c => c.RecordedAt >= from && c.RecordedAt < until && choices.Contains(c.Action))
            .GroupBy(months.Bucket((CookieConsentRecord c) => new { Month = ReportMonths.Index(c.RecordedAt), c.Action }))
            .Select(g => new { g.Key.Month, g.Key.Action, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Count(int month, CookieConsentAction action) => rows.Where(r => r.Month == month && r.Action == action).Sum(r => r.Count);
        return [.. months.Months.Select((m, i) => new CookieChoiceMonth(m, Count(i, CookieConsentAction.AcceptAll), Count(i, CookieConsentAction.RejectAll), Count(i, CookieConsentAction.Choose)))];
    }

    private async Task<IReadOnlyList<UnsubscribeCounts>> UnsubscribesAsync(ReportMonths months, CancellationToken cancellationToken)
    {
        var (from, until) = (months.From, months.Until);
        var rows = await db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(p => p.Kind == PreferenceKind.Newsletter && !p.Enabled && p.OccurredAt >= from && p.OccurredAt < until)
            .GroupBy(months.Bucket((MarketingPreferenceRecord p) => new { Month = ReportMonths.Index(p.OccurredAt), p.ControllerId }))
            .Select(g => new { g.Key.Month, g.Key.ControllerId, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return [.. policy.Controllers.Where(c => c.Marketing.Newsletter is not null).Select(c =>
        {
            var perMonth = new int[months.Months.Count];
            foreach (var row in rows.Where(r => r.ControllerId == c.Id))
            {
                perMonth[row.Month] += row.Count;
            }

            return new UnsubscribeCounts(c.Id, perMonth);
        })];
    }
}
