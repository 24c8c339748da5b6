using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Retention;

/// <summary>
/// "Until you unsubscribe or withdraw your consent": deletes a person's records in a controller's
/// categories whose retention rule ends on withdrawal, once none of that controller's marketing is
/// left on, with an audit line. The preference writer calls it in its own transaction, so the stop
/// and the deletion commit together. Restricted records are left to the retention sweep: a
/// restriction can be a hold (a legal claim), and the sweep deletes them at their period's end.
/// </summary>
public sealed class EndDataKeptUntilWithdrawalCommand(PortalDbContext db, PolicyCatalog policy, TimeProvider time)
{
    /// <param name="controllerIds">The controllers whose marketing the person now has entirely off.</param>
    /// <param name="by">Who recorded the stop, for the audit line (the person, staff, a link, a store).</param>
    public async Task ExecuteAsync(Guid subjectId, IReadOnlyCollection<string> controllerIds, Guid? actorId, string by, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(controllerIds);
        var holds = await ActiveHolds.LoadAsync(db, subjectId, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), cancellationToken);
        foreach (var controllerId in controllerIds)
        {
            var categories = policy.GetController(controllerId).Categories
                .Where(c => policy.RetentionRuleOf(c).EndsOnWithdrawal && holds.For(subjectId, controllerId, c.Id) is null)
                .Select(c => c.Id)
                .ToList();
            if (categories.Count == 0)
            {
                continue;
            }

            var deleted = await db.HeldRecords
                .Where(r => r.SubjectId == subjectId && r.ControllerId == controllerId && categories.Contains(r.CategoryId) && r.RestrictedAt == null)
                .ExecuteDeleteAsync(cancellationToken);
            if (deleted > 0)
            {
                db.AuditEvents.Add(new AuditEvent
                {
                    OccurredAt = time.GetUtcNow(),
                    ActorId = actorId,
                    SubjectId = subjectId,
                    Action = "retention.ended-by-withdrawal",
                    Detail = $"{controllerId}: {deleted} record(s) of {string.Join(", ", categories)} deleted; no marketing left on ({by})",
                });
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
