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
                PortalRecordKind.PreferenceHistory => await InBatchesAsync(() =>
                {
                    var preferences = db.Set<MarketingPreferenceRecord>();
                    var batch = preferences
                        .Where(r => preferences.Any(later => later.SubjectId == r.SubjectId && later.ControllerId == r.ControllerId
                            && later.Kind == r.Kind && later.Target == r.Target && later.Version > r.Version && later.OccurredAt < cutoff))
                        .OrderBy(r => r.Id).Select(r => r.Id).Take(BatchSize);
                    return preferences.Where(r => batch.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
                }),
                PortalRecordKind.CookieConsents => await InBatchesAsync(() =>
                {
                    var consents = db.Set<CookieConsentRecord>();
                    var batch = consents.Where(r => r.RecordedAt < cutoff).OrderBy(r => r.Id).Select(r => r.Id).Take(BatchSize);
                    return consents.Where(r => batch.Contains(r.Id)).ExecuteDeleteAsync(cancellationToken);
                }),
                PortalRecordKind.Sessions => await InBatchesAsync(() =>
                {
                    var batch = db.Sessions.Where(s => s.ExpiresAt < cutoff || (s.EndedAt != null && s.EndedAt < cutoff)).OrderBy(s => s.Id).Select(s => s.Id).Take(BatchSize);
                    return db.Sessions.Where(s => batch.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
                }),
                PortalRecordKind.MagicLinkTokens => await InBatchesAsync(() =>
                {
                    var batch = db.MagicLinkTokens.Where(t => t.ExpiresAt < cutoff).OrderBy(t => t.Id).Select(t => t.Id).Take(BatchSize);
                    return db.MagicLinkTokens.Where(t => batch.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken);
                }),
                PortalRecordKind.OutboxMails => await InBatchesAsync(() =>
                {
                    var batch = db.Outbox
                        .Where(m => (m.Status == OutboxStatus.Sent && m.SentAt < cutoff) || (m.Status == OutboxStatus.Dead && m.NextAttemptAt < cutoff))
                        .OrderBy(m => m.Id).Select(m => m.Id).Take(BatchSize);
                    return db.Outbox.Where(m => batch.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
                }),
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

    /// <summary>Runs a set-based delete of at most <see cref="BatchSize"/> rows until a batch comes back short.</summary>
    private static async Task<int> InBatchesAsync(Func<Task<int>> deleteBatch)
    {
        var total = 0;
        while (true)
        {
            var deleted = await deleteBatch();
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
