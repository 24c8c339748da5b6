using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Features.Retention;

/// <summary>What one sweep did to one kind of the portal's own records.</summary>
public sealed record PortalRecordsOutcome(PortalRecordKind Record, PortalRecordAction Action, DateTimeOffset Cutoff, int Count);

/// <summary>
/// Applies the policy's <c>portalRecords</c> rules: requests (with their history and store tasks),
/// replaced preference history, cookie-consent proofs, sessions, sign-in links and settled outbox
/// mails are deleted once their period has passed; audit lines lose their link to people (subject,
/// actor, IP address) and stay. Deletes are set-based, a batch at a time, so large tables never
/// hold a long lock. Each kind ends with one audit line saying what went.
/// </summary>
public sealed class PortalRecordsSweep(PortalDbContext db, PolicyCatalog policy, TimeProvider time)
{
    public const int BatchSize = 1000;

    public async Task<IReadOnlyList<PortalRecordsOutcome>> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcomes = new List<PortalRecordsOutcome>();
        foreach (var rule in policy.Document.PortalRecords)
        {
            var cutoff = rule.Cutoff(now);
            var count = rule.Record switch
            {
                PortalRecordKind.Requests => await DeleteRequestsAsync(cutoff, cancellationToken),
                PortalRecordKind.PreferenceHistory => await DeleteInBatchesAsync(
                    db.Set<MarketingPreferenceRecord>(),
                    r => db.Set<MarketingPreferenceRecord>().Any(later => later.SubjectId == r.SubjectId && later.ControllerId == r.ControllerId
                        && later.Kind == r.Kind && later.Target == r.Target && later.Version > r.Version && later.OccurredAt < cutoff),
                    r => r.Id,
                    cancellationToken),
                PortalRecordKind.CookieConsents => await DeleteInBatchesAsync(db.Set<CookieConsentRecord>(), r => r.RecordedAt < cutoff, r => r.Id, cancellationToken),
                PortalRecordKind.Sessions => await DeleteInBatchesAsync(db.Sessions, s => s.ExpiresAt < cutoff || (s.EndedAt != null && s.EndedAt < cutoff), s => s.Id, cancellationToken),
                PortalRecordKind.MagicLinkTokens => await DeleteInBatchesAsync(db.MagicLinkTokens, t => t.ExpiresAt < cutoff, t => t.Id, cancellationToken),
                PortalRecordKind.OutboxMails => await DeleteInBatchesAsync(
                    db.Outbox,
                    m => (m.Status == OutboxStatus.Sent && m.SentAt < cutoff) || (m.Status == OutboxStatus.Dead && m.NextAttemptAt < cutoff),
                    m => m.Id,
                    cancellationToken),
                PortalRecordKind.AuditLog => await UnlinkAuditAsync(cutoff, cancellationToken),
                _ => 0,
            };
            outcomes.Add(new PortalRecordsOutcome(rule.Record, rule.Action, cutoff, count));
        }

        foreach (var outcome in outcomes.Where(o => o.Count > 0))
        {
            db.AuditEvents.Add(new AuditEvent
            {
                OccurredAt = now,
                Action = outcome.Action == PortalRecordAction.Unlink ? "retention.portal-records-unlinked" : "retention.portal-records-deleted",
                Detail = $"{JsonObjectReader.EnumName(outcome.Record)}: {outcome.Count} row(s) whose retention ended before {outcome.Cutoff:yyyy-MM-dd HH:mm} UTC",
            });
        }

        await db.SaveChangesAsync(cancellationToken);
        return outcomes;
    }

    /// <summary>Closed requests go with their history, messages and store tasks, in one transaction per batch.</summary>
    private async Task<int> DeleteRequestsAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var batch = db.Set<PrivacyRequest>()
                .Where(r => r.ClosedAt != null && r.ClosedAt < cutoff
                    && r.Status != RequestStatus.Received && r.Status != RequestStatus.InProgress && r.Status != RequestStatus.AwaitingPerson)
                .OrderBy(r => r.Id).Select(r => r.Id).Take(BatchSize);
            await db.Set<PrivacyRequestEvent>().Where(e => batch.Contains(e.RequestId)).ExecuteDeleteAsync(cancellationToken);
            await db.Set<RecipientTask>().Where(t => t.RequestId != null && batch.Contains(t.RequestId.Value)).ExecuteDeleteAsync(cancellationToken);
            var deleted = await db.Set<PrivacyRequest>().Where(r => batch.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            total += deleted;
            if (deleted < BatchSize)
            {
                return total;
            }
        }
    }

    private static async Task<int> DeleteInBatchesAsync<T, TKey>(
        DbSet<T> set, System.Linq.Expressions.Expression<Func<T, bool>> expired, System.Linq.Expressions.Expression<Func<T, TKey>> key, CancellationToken cancellationToken)
        where T : class
    {
        var total = 0;
        while (true)
        {
            var batch = set.Where(expired).OrderBy(key).Select(key).Take(BatchSize);
            var parameter = key.Parameters[0];
            var contains = System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(
                System.Linq.Expressions.Expression.Call(typeof(Queryable), nameof(Queryable.Contains), [typeof(TKey)], batch.Expression, key.Body),
                parameter);
            var deleted = await set.Where(contains).ExecuteDeleteAsync(cancellationToken);
            total += deleted;
            if (deleted < BatchSize)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// The one change the audit log's triggers allow: clearing the link to people, while this
    /// transaction holds a permit row that no other transaction ever sees.
    /// </summary>
    private async Task<int> UnlinkAuditAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var permit = new AuditUnlinkPermit { Id = Guid.NewGuid(), GrantedAt = time.GetUtcNow() };
            db.Add(permit);
            await db.SaveChangesAsync(cancellationToken);
            var batch = db.AuditEvents
                .Where(e => e.OccurredAt < cutoff && (e.SubjectId != null || e.ActorId != null || e.IpAddress != null))
                .OrderBy(e => e.Id).Select(e => e.Id).Take(BatchSize);
            var unlinked = await db.AuditEvents.Where(e => batch.Contains(e.Id)).ExecuteUpdateAsync(
                s => s.SetProperty(e => e.SubjectId, (Guid?)null).SetProperty(e => e.ActorId, (Guid?)null).SetProperty(e => e.IpAddress, (string?)null),
                cancellationToken);
            await db.Set<AuditUnlinkPermit>().Where(p => p.Id == permit.Id).ExecuteDeleteAsync(cancellationToken);
            db.Entry(permit).State = EntityState.Detached;
            await transaction.CommitAsync(cancellationToken);
            total += unlinked;
            if (unlinked < BatchSize)
            {
                return total;
            }
        }
    }
}
