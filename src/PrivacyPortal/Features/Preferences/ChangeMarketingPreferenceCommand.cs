using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Preferences;

public sealed record PreferenceChange(PreferenceKey Key, bool Enable);

public enum PreferenceChangeOutcome
{
    /// <summary>At least one preference changed; a row was written for each.</summary>
    Changed,

    /// <summary>Everything already was as asked (a double click, a repeated one-click POST): nothing written.</summary>
    Unchanged,

    /// <summary>The actor may not switch marketing on for this person (only the person can): nothing written.</summary>
    Refused,

    /// <summary>The policy offers no such company, channel or consent: nothing written.</summary>
    Unknown,

    /// <summary>The person no longer exists.</summary>
    NoSuchPerson,
}

public sealed record PreferenceChangeResult(PreferenceChangeOutcome Outcome, IReadOnlyList<MarketingPreferenceRecord> Written)
{
    public static PreferenceChangeResult Of(PreferenceChangeOutcome outcome) => new(outcome, []);
}

/// <summary>
/// The one way marketing preferences change. Each change is a new history row; a change to the
/// state a preference already has writes nothing. Switching anything on is refused unless the
/// person asks themselves (<see cref="PreferenceActor.MaySwitchOn"/>): so no staff screen, store
/// or link can ever undo an objection (Art. 21(3)). The person gets a confirmation email, queued in
/// the same transaction as the rows; changes made while it waits for its bundle window join it.
/// </summary>
public sealed class ChangeMarketingPreferenceCommand(
    PortalDbContext db,
    PolicyCatalog policy,
    MarketingPreferenceState state,
    Outbox outbox,
    EmailFooter footer,
    PreferenceText describe,
    IStringLocalizer<Localization.Preferences> text,
    IOptions<PortalOptions> portal,
    IOptions<PreferencesOptions> options,
    WithdrawCookieCategoryCommand withdrawCookies,
    EndDataKeptUntilWithdrawalCommand endDataKeptUntilWithdrawal,
    UnsubscribeLinks unsubscribeLinks,
    TimeProvider time)
{
    private const int Attempts = 3;

    private const string ConfirmationKind = "preferences-changed";

    /// <summary>A waiting confirmation due sooner than this is left to the dispatcher, which may be about to send it.</summary>
    private static readonly TimeSpan JoinMargin = TimeSpan.FromSeconds(10);

    public async Task<PreferenceChangeResult> ExecuteAsync(
        Guid subjectId,
        IReadOnlyList<PreferenceChange> changes,
        PreferenceActor actor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(actor);
        if (changes.Count == 0)
        {
            return PreferenceChangeResult.Of(PreferenceChangeOutcome.Unchanged);
        }

        if (changes.Any(c => !c.Key.ExistsIn(policy)))
        {
            return PreferenceChangeResult.Of(PreferenceChangeOutcome.Unknown);
        }

        if (changes.Any(c => c.Enable) && !actor.MaySwitchOn(subjectId))
        {
            db.AuditEvents.Add(new AuditEvent
            {
                OccurredAt = time.GetUtcNow(),
                ActorId = actor.Id,
                SubjectId = subjectId,
                Action = "preferences.switch-on-refused",
                Detail = $"{actor.Kind}: " + string.Join(", ", changes.Where(c => c.Enable).Select(c => $"{c.Key.ControllerId}/{c.Key.Kind}/{c.Key.Target}")),
            });
            await db.SaveChangesAsync(cancellationToken);
            return PreferenceChangeResult.Of(PreferenceChangeOutcome.Refused);
        }

        var person = await db.Users.AsNoTracking()
            .Where(u => u.Id == subjectId)
            .Select(u => new { u.Email, u.PreferredCulture })
            .FirstOrDefaultAsync(cancellationToken);
        if (person is null)
        {
            return PreferenceChangeResult.Of(PreferenceChangeOutcome.NoSuchPerson);
        }

        // Inside a caller's transaction (an erasure) the rows commit or roll back with the caller's
        // work, and a lost race is the caller's to handle: it cannot be retried from here.
        var ambient = db.Database.CurrentTransaction is not null;
        for (var attempt = 1; ; attempt++)
        {
            // Disposed uncommitted (nothing to write, or a lost race) it rolls back and lets the next writer in.
            await using var transaction = ambient ? null : await db.Database.BeginTransactionAsync(cancellationToken);
            // Stores collect the history by id (PreferenceChangeFeed): see CursorFeedLock.
            await CursorFeedLock.QueueAsync(db, CursorFeedLock.PreferenceHistory, cancellationToken);
            var written = await AddRowsAsync(subjectId, changes, actor, cancellationToken);
            if (written.Count == 0)
            {
                return PreferenceChangeResult.Of(PreferenceChangeOutcome.Unchanged);
            }

            // An erasure's own reply says that marketing stopped; a second mail would only repeat it.
            if (person.Email is { Length: > 0 } email && actor.Kind != PreferenceActorKind.Erasure)
            {
                await QueueConfirmationAsync(subjectId, email, person.PreferredCulture, written, cancellationToken);
            }

            var browserChoices = await WithdrawCookieCategoriesAsync(subjectId, written, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await EndDataKeptUntilWithdrawalAsync(subjectId, written, actor, cancellationToken);
                if (transaction is not null)
                {
                    await transaction.CommitAsync(cancellationToken);
                }

                foreach (var choice in browserChoices)
                {
                    withdrawCookies.ApplyToBrowser(choice);
                }

                return new PreferenceChangeResult(PreferenceChangeOutcome.Changed, written);
            }
            catch (DbUpdateException) when (!ambient && attempt < Attempts)
            {
                // Another request wrote the same version first (a double click): forget ours and
                // look again; usually the preference is now as asked and nothing is left to write.
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>
    /// A withdrawn consent that stands for a cookie category (personalised advertising: marketing
    /// cookies) takes that category away too, in the same commit as the withdrawal.
    /// </summary>
    private async Task<List<StoredCookieConsent>> WithdrawCookieCategoriesAsync(Guid subjectId, List<MarketingPreferenceRecord> written, CancellationToken cancellationToken)
    {
        var browserChoices = new List<StoredCookieConsent>();
        var categories = written
            .Where(r => r.Kind == PreferenceKind.Consent && !r.Enabled)
            .Select(r => policy.FindConsent(r.ControllerId, r.Target)?.CookieCategory)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        foreach (var category in categories)
        {
            if (await withdrawCookies.AddAsync(subjectId, category, cancellationToken) is { } choice)
            {
                browserChoices.Add(choice);
            }
        }

        return browserChoices;
    }

    /// <summary>
    /// The controllers whose marketing a stop left entirely off (newsletter, every channel, every
    /// consent) lose the data kept only until then (<see cref="EndDataKeptUntilWithdrawalCommand"/>).
    /// </summary>
    private async Task EndDataKeptUntilWithdrawalAsync(
        Guid subjectId, IReadOnlyList<MarketingPreferenceRecord> written, PreferenceActor actor, CancellationToken cancellationToken)
    {
        var stopped = written.Where(r => !r.Enabled).Select(r => r.ControllerId).Distinct(StringComparer.Ordinal).ToList();
        if (stopped.Count == 0)
        {
            return;
        }

        // Read after the new rows are saved (in this transaction), so it is the state they leave.
        var current = await state.LoadAsync(subjectId, cancellationToken);
        var nothingOn = stopped.Where(c => !current.Values.Any(p => p.Key.ControllerId == c && p.Enabled)).ToList();
        await endDataKeptUntilWithdrawal.ExecuteAsync(subjectId, nothingOn, actor.Id, actor.Kind.ToString(), cancellationToken);
    }

    private async Task<List<MarketingPreferenceRecord>> AddRowsAsync(
        Guid subjectId,
        IReadOnlyList<PreferenceChange> changes,
        PreferenceActor actor,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var written = new List<MarketingPreferenceRecord>();
        foreach (var change in changes.DistinctBy(c => c.Key))
        {
            var current = await state.LoadOneAsync(subjectId, change.Key, cancellationToken);
            if (current.Enabled == change.Enable && !(actor.StopsDefaults && !change.Enable && current.Version == 0))
            {
                continue;
            }

            var row = new MarketingPreferenceRecord
            {
                SubjectId = subjectId,
                ControllerId = change.Key.ControllerId,
                Kind = change.Key.Kind,
                Target = change.Key.Target,
                Version = current.Version + 1,
                Enabled = change.Enable,
                Actor = actor.Kind,
                ActorId = actor.Kind == PreferenceActorKind.UnsubscribeLink ? null : actor.Id,
                Channel = actor.Channel,
                StoreId = actor.StoreId,
                PolicyRevision = policy.Revision,
                OccurredAt = now,
            };
            db.Add(row);
            written.Add(row);
        }

        return written;
    }

    /// <summary>
    /// Queues the confirmation of <paramref name="written"/>, or, while one to the same person still
    /// waits for its bundle window and has not been tried, rewrites that one to confirm every change
    /// since it was queued: the newest state of each preference, in the order they were first changed.
    /// The preference-history lock the caller holds keeps two changes from rewriting it at once.
    /// </summary>
    private async Task QueueConfirmationAsync(Guid subjectId, string email, string preferredCulture, IReadOnlyList<MarketingPreferenceRecord> written, CancellationToken cancellationToken)
    {
        var window = options.Value.ConfirmationBundleWindow;
        var since = written.Min(r => r.OccurredAt);
        OutboxMessage? waiting = null;
        if (window > TimeSpan.Zero)
        {
            var joinable = since + JoinMargin;
            waiting = await db.Outbox
                .Where(m => m.To == email && m.Kind == ConfirmationKind && m.Status == OutboxStatus.Pending && m.Attempts == 0 && m.NextAttemptAt > joinable)
                .OrderByDescending(m => m.CreatedAt)
                .FirstOrDefaultAsync(cancellationToken);
        }

        IReadOnlyList<MarketingPreferenceRecord> confirmed = written;
        if (waiting is not null)
        {
            var start = waiting.CreatedAt;
            var earlier = await db.Set<MarketingPreferenceRecord>().AsNoTracking()
                .Where(r => r.SubjectId == subjectId && r.OccurredAt >= start)
                .ToListAsync(cancellationToken);
            confirmed = [.. earlier.OrderBy(r => r.OccurredAt).ThenBy(r => r.Id)
                .Concat(written)
                .GroupBy(r => (r.ControllerId, r.Kind, r.Target))
                .Select(g => g.Last())];
        }

        // The language stored for the person, not the page's: a store or staff may cause this change
        // too, and one person's mails should not switch language with the page they happen to be on.
        var culture = CultureInfo.GetCultureInfo(PortalCultures.IsSupported(preferredCulture) ? preferredCulture : PortalCultures.Default);
        using var scope = new CultureScope(culture);
        var lines = confirmed.Select(r =>
        {
            var key = new PreferenceKey(r.ControllerId, r.Kind, r.Target);
            return text["Email.Line", describe.ControllerName(r.ControllerId), describe.Name(key), describe.State(r.Kind, r.Enabled)].Value;
        });
        var content = EmailComposer.Compose(new EmailDraft(
            culture,
            text["Email.Subject"],
            text["Email.Heading"],
            [text["Email.Intro"], .. lines],
            footer.Lines())
        {
            Action = new EmailAction(portal.Value.Link($"/{culture.Name}/preferences"), text["Email.Button"]),
            Closing = [text["Email.NotYou", footer.ContactEmail()]],
        });
        var oneClickStop = OneClickStop(culture, confirmed)?.AbsoluteUri;
        if (waiting is null)
        {
            var message = outbox.Enqueue(email, content, ConfirmationKind);
            message.ListUnsubscribe = oneClickStop;
            // The mail covers the changes from this instant on, and goes out when the window closes.
            message.CreatedAt = since;
            message.NextAttemptAt = since + window;
            return;
        }

        waiting.Subject = content.Subject;
        waiting.TextBody = content.TextBody;
        waiting.HtmlBody = content.HtmlBody;
        waiting.ListUnsubscribe = oneClickStop;
    }

    /// <summary>
    /// A confirmation of one thing switched on (a subscription, a consent) carries the one-click
    /// unsubscribe header that switches exactly that off again, so the mail client's own button is
    /// as easy as the click that gave it (Art. 7(3)).
    /// </summary>
    private Uri? OneClickStop(CultureInfo culture, IReadOnlyList<MarketingPreferenceRecord> written)
    {
        if (written is not [{ Enabled: true } on])
        {
            return null;
        }

        var token = unsubscribeLinks.CreateToken(on.SubjectId, new PreferenceKey(on.ControllerId, on.Kind, on.Target), storeId: null);
        return portal.Value.Link($"/{culture.Name}/unsubscribe/{token}");
    }
}
