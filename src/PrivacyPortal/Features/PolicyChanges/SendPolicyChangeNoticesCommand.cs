using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.PolicyChanges;

/// <summary>
/// Tells the next batch of people with an account, each in their language, of the material policy
/// change that is coming: the mails and the rows saying who was told are committed together, so a
/// person is told once, whichever instance gets there and however often the revision is loaded.
/// </summary>
public sealed class SendPolicyChangeNoticesCommand(
    PortalDbContext db,
    PolicyCatalog policy,
    Outbox outbox,
    EmailFooter footer,
    IOptions<PortalOptions> portal,
    IOptions<PolicyNoticeOptions> options,
    IStringLocalizer<Localization.MyData> text,
    TimeProvider time)
{
    /// <summary>Whether people are still to be told of the loaded revision on <paramref name="today"/>.</summary>
    public static bool IsDue(PolicyCatalog policy, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Document.Change is { Material: true } && today < policy.EffectiveDate;
    }

    /// <returns>How many people this batch told; 0 when nobody is left, the change has taken effect, or another instance got there first.</returns>
    public async Task<int> SendBatchAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!IsDue(policy, DateOnly.FromDateTime(now.UtcDateTime)) || policy.Document.Change is not { } change)
        {
            return 0;
        }

        var revision = policy.Revision;
        var people = await db.Users.AsNoTracking()
            .Where(u => u.Kind != AccountKind.Staff && u.Email != null)
            .Where(u => !db.Set<PolicyChangeNotice>().Any(n => n.Revision == revision && n.SubjectId == u.Id))
            .OrderBy(u => u.Id)
            .Take(options.Value.BatchSize)
            .Select(u => new { u.Id, u.Email, u.PreferredCulture })
            .ToListAsync(cancellationToken);
        foreach (var person in people)
        {
            outbox.Enqueue(person.Email!, Compose(change, person.PreferredCulture), "policy-change");
            db.Add(new PolicyChangeNotice { Revision = revision, SubjectId = person.Id, QueuedAt = now });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another instance told some of them in the meantime (its lease ran out while it
            // worked): nothing of this batch was saved. That instance carries on; the next round
            // here leaves out whoever has been told.
            db.ChangeTracker.Clear();
            return 0;
        }

        return people.Count;
    }

    private EmailContent Compose(PolicyChange change, string preferredCulture)
    {
        var culture = CultureInfo.GetCultureInfo(PortalCultures.IsSupported(preferredCulture) ? preferredCulture : PortalCultures.Default);
        using var scope = new CultureScope(culture);
        var effective = RequestTexts.Date(policy.EffectiveDate, culture);
        return EmailComposer.Compose(new EmailDraft(
            culture,
            text["PolicyChange.Email.Subject", effective],
            text["PolicyChange.Email.Heading"],
            [
                text["PolicyChange.Email.Body", effective, policy.Revision, change.PreviousRevision],
                text["PolicyChange.Email.What", change.Summary.Get(culture)],
                text["PolicyChange.Email.Rights"],
            ],
            footer.Lines())
        {
            Action = new EmailAction(portal.Value.Link($"/{culture.Name}/my-data"), text["PolicyChange.Email.Open"]),
        });
    }
}
