using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Features.Reports;

/// <summary>
/// The report is several GROUP BYs over a year of requests, cookie choices and preference changes:
/// a few hundred milliseconds of database work at 100,000 requests, for figures that are monthly.
/// So each instance computes it at most once per <see cref="MaxAge"/> (and anew when the day
/// changes) and shares it; viewers arriving during a computation wait for that one instead of
/// starting their own. The page says when the figures were computed. Views are audited each time.
/// </summary>
public sealed class PrivacyReportCache(TimeProvider time) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile PrivacyReport? latest;

    public async Task<PrivacyReport> GetAsync(int monthCount, Func<CancellationToken, Task<PrivacyReport>> compute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compute);
        if (Fresh(monthCount) is { } cached)
        {
            return cached;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(monthCount) is { } computedMeanwhile)
            {
                return computedMeanwhile;
            }

            var report = await compute(cancellationToken);
            latest = report;
            return report;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private PrivacyReport? Fresh(int monthCount)
    {
        var report = latest;
        var now = time.GetUtcNow();
        return report is not null
            && report.Months.Months.Count == monthCount
            && report.Today == Deadlines.Day(now)
            && now - report.ComputedAt < MaxAge
            && now >= report.ComputedAt
                ? report
                : null;
    }
}
