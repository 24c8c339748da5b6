using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Retention;

/// <summary>A record whose retention has ended: the sweep anonymises it if its category's policy says how, and deletes it otherwise.</summary>
public sealed record ExpiredRecord(long Id, Guid SubjectId, string ControllerId, string CategoryId, string Summary, DateOnly RetentionFrom, DateOnly Until, bool Restricted, bool Anonymise = false);

public sealed record RetentionReport(DateOnly Day, IReadOnlyList<ExpiredRecord> Expired, int Held = 0)
{
    public IEnumerable<IGrouping<(string ControllerId, string CategoryId), ExpiredRecord>> ByCategory =>
        Expired.GroupBy(r => (r.ControllerId, r.CategoryId));
}

/// <summary>
/// Finds the records whose retention, computed from the policy, ended before the day, and deletes
/// them, or anonymises them where the category's policy has an <c>anonymisation</c> rule (only the
/// fields it names are kept, unlinked from the person). A record is only ever touched after its own
/// retention end has passed, and records of categories the policy does not know are never touched,
/// so nothing under a retention duty is lost. Records under a legal hold in force on the day are
/// left alone (listed in the report as held) until the hold is lifted or its last day has passed.
/// </summary>
public sealed class RetentionSweep(PortalDbContext db, PolicyCatalog policy, CustomerRelationships relationships, TimeProvider time, IOptions<JobOptions> options, ILogger<RetentionSweep> logger)
{
    /// <summary>What a sweep on <paramref name="day"/> would delete (the dry run).</summary>
    public async Task<RetentionReport> PreviewAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var expired = new List<ExpiredRecord>();
        var holds = await ActiveHolds.LoadAsync(db, null, day, cancellationToken);
        var held = 0;
        foreach (var controller in policy.Controllers)
        {
            // Records counting from the end of a customer relationship are never touched while it lasts.
            var states = await relationships.OfControllerAsync(controller, day, cancellationToken);
            foreach (var category in controller.Categories)
            {
                // Every rule keeps data at least its whole length after the date it counts from, so
                // older records are the only candidates; the exact end is computed per record below.
                var rule = policy.RetentionRuleOf(category);
                var latestCandidate = rule.Kind == RetentionKind.Months
                    ? day.AddMonths(-(rule.Months ?? 0)).AddDays(7)
                    : day.AddYears(-(rule.Years ?? 0)).AddDays(7);
                var candidates = await db.HeldRecords.AsNoTracking()
                    .Where(r => r.ControllerId == controller.Id && r.CategoryId == category.Id && r.RetentionFrom <= latestCandidate)
                    .Select(r => new { r.Id, r.SubjectId, r.Summary, r.RetentionFrom, r.RestrictedAt })
                    .ToListAsync(cancellationToken);
                foreach (var r in candidates)
                {
                    var end = relationships.RetentionOf(controller.Id, category.Id, r.RetentionFrom, states.GetValueOrDefault(r.SubjectId));
                    var hasEnded = end.Until is { } last && day > last;
                    if (hasEnded && holds.For(r.SubjectId, controller.Id, category.Id) is not null)
                    {
                        held++;
                    }
                    else if (hasEnded && end.Until is { } until)
                    {
                        expired.Add(new ExpiredRecord(r.Id, r.SubjectId, controller.Id, category.Id, r.Summary, r.RetentionFrom, until, r.RestrictedAt is not null, category.Anonymisation is not null));
                    }
                }
            }
        }

        return new RetentionReport(day, expired, held);
    }

    /// <summary>
    /// Anonymises or deletes what <see cref="PreviewAsync"/> lists, with an audit line per person and
    /// category. Works in batches of whole audit lines (a person's records of one category are never
    /// split), each batch's deletions, anonymised copies and audit lines in one transaction: a crash
    /// cannot leave records gone without a trace, and the next run finds what is left. One
    /// transaction for the whole sweep kept every audit line in EF's change tracker until the end,
    /// which over 1,000,000 records cost more than the deletions (docs/benchmarks.md).
    /// </summary>
    public async Task<RetentionReport> RunAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var report = await PreviewAsync(day, cancellationToken);
        var previewed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var now = time.GetUtcNow();
        var batchSize = options.Value.RetentionBatchSize;
        var detectChanges = db.ChangeTracker.AutoDetectChangesEnabled;
        // Only new rows are tracked here, so nothing needs comparing before saving.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var batch in Batches(report.Expired, batchSize))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var toAnonymise = batch.SelectMany(g => g).Where(r => r.Anonymise).Select(r => r.Id).ToList();
                if (toAnonymise.Count > 0)
                {
                    var records = await db.HeldRecords.AsNoTracking()
                        .Where(r => toAnonymise.Contains(r.Id))
                        .Select(r => new { r.ControllerId, r.CategoryId, r.Content, r.RetentionFrom })
                        .ToListAsync(cancellationToken);
                    foreach (var r in records)
                    {
                        var rule = policy.GetCategory(r.ControllerId, r.CategoryId).Anonymisation!;
                        db.Add(RecordAnonymiser.Anonymise(r.ControllerId, r.CategoryId, r.Content, r.RetentionFrom, rule, now));
                    }
                }

                var ids = batch.SelectMany(g => g).Select(r => r.Id).ToList();
                await db.HeldRecords.Where(r => ids.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await InsertAuditLinesAsync(
                    [.. batch.Select(group => (
                        group.Key.SubjectId,
                        group.Key.Anonymise ? "retention.anonymised" : "retention.deleted",
                        $"{group.Key.ControllerId}/{group.Key.CategoryId}: {group.Count()} record(s) whose retention ended (latest {group.Max(r => r.Until):yyyy-MM-dd})"
                            + (group.Key.Anonymise ? $", kept without the link to the person: {string.Join(", ", policy.GetCategory(group.Key.ControllerId, group.Key.CategoryId).Anonymisation!.KeepFields)}" : "")))],
                    now,
                    cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
            }

            var anonymised = report.Expired.Count(r => r.Anonymise);
            db.AuditEvents.Add(new AuditEvent
            {
                OccurredAt = now,
                Action = "retention.swept",
                Detail = $"{day:yyyy-MM-dd}: {report.Expired.Count - anonymised} record(s) deleted, {anonymised} anonymised"
                    + (report.Held > 0 ? $", {report.Held} kept under a legal hold" : ""),
            });
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = detectChanges;
        }

        logger.LogInformation(
            "Retention sweep for {Day}: {Count} record(s) found in {Preview:0.0} s, deleted or anonymised in {Total:0.0} s in all, in batches of up to {BatchSize}.",
            day, report.Expired.Count, previewed.TotalSeconds, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, batchSize);
        return report;
    }

    /// <summary>
    /// A batch's audit lines as one INSERT: added to EF's change tracker they were saved one
    /// statement each, with the new ids read back, and that took more of the sweep than the
    /// deletions did (300,000 lines over 1,000,000 records; docs/benchmarks.md).
    /// </summary>
    private async Task InsertAuditLinesAsync(IReadOnlyList<(Guid SubjectId, string Action, string Detail)> lines, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ticks = now.UtcTicks;
        if (db.Database.IsNpgsql())
        {
            Guid[] subjects = [.. lines.Select(l => l.SubjectId)];
            string[] actions = [.. lines.Select(l => l.Action)];
            string[] details = [.. lines.Select(l => l.Detail)];
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "AuditEvents" ("OccurredAt", "SubjectId", "Action", "Detail")
                SELECT {ticks}, s, a, d FROM unnest({subjects}, {actions}, {details}) AS t(s, a, d)
                """, cancellationToken);
        }
        else
        {
            // SQLite keeps a Guid as upper-case text (EF Core's mapping).
            var json = System.Text.Json.JsonSerializer.Serialize(lines.Select(l => new[] { l.SubjectId.ToString().ToUpperInvariant(), l.Action, l.Detail }));
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "AuditEvents" ("OccurredAt", "SubjectId", "Action", "Detail")
                SELECT {ticks}, value ->> 0, value ->> 1, value ->> 2 FROM json_each({json})
                """, cancellationToken);
        }
    }

    /// <summary>The expired records as audit groups (person, controller, category, action), packed into batches of about <paramref name="size"/> records.</summary>
    private static IEnumerable<List<IGrouping<(Guid SubjectId, string ControllerId, string CategoryId, bool Anonymise), ExpiredRecord>>> Batches(
        IReadOnlyList<ExpiredRecord> expired, int size)
    {
        var batch = new List<IGrouping<(Guid SubjectId, string ControllerId, string CategoryId, bool Anonymise), ExpiredRecord>>();
        var records = 0;
        foreach (var group in expired.GroupBy(r => (r.SubjectId, r.ControllerId, r.CategoryId, r.Anonymise)))
        {
            var count = group.Count();
            if (records > 0 && records + count > size)
            {
                yield return batch;
                batch = [];
                records = 0;
            }

            batch.Add(group);
            records += count;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}

/// <summary>The daily retention sweep, run by one instance a day.</summary>
public sealed class RetentionJob(IServiceScopeFactory scopes, TimeProvider time, IOptions<JobOptions> options, ILogger<RetentionJob> logger)
    : DailyJob(scopes, time, options, logger)
{
    public override string Name => "retention.sweep";

    protected override async Task RunAsync(IServiceProvider services, DateOnly today, CancellationToken cancellationToken)
    {
        var report = await services.GetRequiredService<RetentionSweep>().RunAsync(today, cancellationToken);
        logger.LogInformation("Retention sweep for {Day} deleted or anonymised {Count} record(s).", today, report.Expired.Count);
        var own = await services.GetRequiredService<PortalRecordsSweep>().RunAsync(cancellationToken);
        logger.LogInformation("Retention sweep for {Day}: the portal's own records: {Outcome}.", today, string.Join(", ", own.Select(o => $"{o.Record} {o.Count}")));
    }
}

public static class RetentionRegistration
{
    public static WebApplicationBuilder AddRetention(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<RetentionSweep>();
        builder.Services.AddScoped<CustomerRelationships>();
        builder.Services.AddScoped<PortalRecordsSweep>();
        builder.Services.AddScoped<EndDataKeptUntilWithdrawalCommand>();
        builder.Services.AddDailyJobs(builder.Configuration);
        builder.Services.AddDailyJob<RetentionJob>();
        return builder;
    }
}
