using System.Diagnostics;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.MyData;

/// <summary>
/// On PostgreSQL every round trip costs a wake-up of both processes and the driver's work, which on
/// a small machine was most of my-data's database time (docs/benchmarks.md, issue 17): a visit makes
/// two, the session check and the page's one batch (MyDataBatchQuery). Counted from Npgsql's own
/// activities (one per command or batch it executes) that belong to the request's trace.
/// </summary>
public sealed class RoundTripsTests : IDisposable
{
    private readonly PortalHost _host = new(configure: f => f.WithPostgres());

    [Fact]
    public async Task My_data_on_PostgreSQL_is_two_round_trips_the_session_check_and_one_batch()
    {
        var client = await _host.SignInAsync(PortalHost.Kari, "en");
        // The first visit prepares the batch's statements on the pooled connection.
        await client.GetPageAsync("/en/my-data");

        var trace = ActivityTraceId.CreateRandom();
        var executed = new List<string>();
        using var listener = new ActivityListener
        {
            // The request's own activity must exist for the database activities to join its trace.
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.TraceId == trace ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "Npgsql" && activity.TraceId == trace)
                {
                    lock (executed)
                    {
                        var sql = activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName;
                        executed.Add(string.Concat(sql.ToString()!.ReplaceLineEndings(" ").Take(80)));
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/en/my-data");
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await client.Http.SendAsync(request);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Contains("NO-2024-0311", page, StringComparison.Ordinal);
        lock (executed)
        {
            Assert.True(executed.Count is >= 1 and <= 2, $"{executed.Count} round trips: {string.Join(" | ", executed)}");
        }
    }

    public void Dispose() => _host.Dispose();
}
