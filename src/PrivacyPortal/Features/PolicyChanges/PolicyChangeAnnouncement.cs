using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.PolicyChanges;

/// <summary>
/// At start-up, after the migrations: records the day a material revision is first loaded (people are
/// told from then on) and refuses a revision whose effective date leaves less notice than the
/// policy promises (<see cref="PolicyDocument.ChangeNoticeDays"/>).
/// <para>
/// Refusing is deliberate. The effective date is what the published policy and the stores say; the
/// portal cannot move it, and taking a material change into force before the promised notice would
/// break the promise to every customer. So the start fails like any other policy error, with the
/// earliest date that would do, before a single notice is sent; in a rolling deploy the instances of
/// the previous release keep serving. Once the revision has been loaded, later starts are checked
/// against that first day, so a restart closer to the effective date is fine.
/// </para>
/// </summary>
internal sealed class PolicyChangeAnnouncement(PolicyCatalog policy, TimeProvider time, ILogger<PolicyChangeAnnouncement> logger) : IDatabaseSeeder
{
    public async Task SeedAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        if (policy.Document.Change is not { Material: true } || policy.Document.ChangeNoticeDays is not { } noticeDays)
        {
            return;
        }

        var existing = await db.Set<PolicyRevisionAnnouncement>().AsNoTracking()
            .FirstOrDefaultAsync(a => a.Revision == policy.Revision, cancellationToken);
        var firstLoadedAt = existing?.FirstLoadedAt ?? time.GetUtcNow();
        var firstDay = DateOnly.FromDateTime(firstLoadedAt.UtcDateTime);
        var earliest = firstDay.AddDays(noticeDays);
        if (policy.EffectiveDate < earliest)
        {
            var told = existing is null ? $"people told today ({firstDay:yyyy-MM-dd})" : $"people told from {firstDay:yyyy-MM-dd}, when this revision was first loaded,";
            throw new PolicyValidationException(policy.File,
            [
                new PolicyError(policy.File, "effectiveDate",
                    $"the material change of revision '{policy.Revision}' takes effect on {policy.EffectiveDate:yyyy-MM-dd}, but {told} would have "
                    + $"{policy.EffectiveDate.DayNumber - firstDay.DayNumber} days' notice, not the {noticeDays} the policy promises (changeNoticeDays); "
                    + $"set effectiveDate to {earliest:yyyy-MM-dd} or later. No notice has been sent."),
            ]);
        }

        if (existing is not null)
        {
            return;
        }

        db.Add(new PolicyRevisionAnnouncement { Revision = policy.Revision, EffectiveDate = policy.EffectiveDate, FirstLoadedAt = firstLoadedAt });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation(
                "Material policy revision {Revision} loaded; people with an account are told before it takes effect on {EffectiveDate}.",
                policy.Revision,
                policy.EffectiveDate);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another instance recorded it first; its day stands.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
