using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Data.Migrations;
using PrivacyPortal.Features.Cookies;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Retention;

/// <summary>
/// The daily sweep applies the policy's rules for the portal's own records: each kind goes after its
/// period and not before, and audit lines stay, unlinked from the person.
/// </summary>
public sealed class PortalRecordsSweepTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 6, 0, 0, TimeSpan.Zero);

    private readonly PortalHost host = new(Start);

    public void Dispose() => host.Dispose();

    [Fact]
    public async Task Each_kind_of_the_portals_own_records_goes_after_its_rule_and_not_before_and_audit_lines_stay_unlinked()
    {
        var kari = await host.UserIdAsync(PortalHost.Kari);
        var ids = await SeedAsync(kari, Start);

        // A month after: nothing has passed its period yet (exactly a month is still within).
        Assert.Equal(Present.All, await RunAndSeeAsync(Start.AddMonths(1), ids));
        // The sign-in link goes a month after it expired; the session, mail and the rest stay.
        Assert.Equal(Present.All & ~Present.Token, await RunAndSeeAsync(Start.AddMonths(1).AddDays(1), ids));
        // Sessions and mails after 3 months.
        Assert.Equal(Present.Request | Present.OldPreference | Present.CookieConsent | Present.LinkedAudit, await RunAndSeeAsync(Start.AddMonths(3).AddDays(1), ids));
        // The closed request (with its history and store task) and the replaced preference after 3 years.
        Assert.Equal(Present.CookieConsent | Present.LinkedAudit, await RunAndSeeAsync(Start.AddYears(3).AddDays(1), ids));
        // The anonymous cookie-consent proof after 48 months.
        Assert.Equal(Present.LinkedAudit, await RunAndSeeAsync(Start.AddMonths(48).AddDays(1), ids));
        Assert.Equal(Present.LinkedAudit, await RunAndSeeAsync(Start.AddYears(5), ids));
        // The audit line after 5 years: still there, without the person, the actor or the IP address.
        Assert.Equal(Present.None, await RunAndSeeAsync(Start.AddYears(5).AddDays(1), ids));
        var line = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Id == ids.Audit));
        Assert.Equal(("test.portal-records", "what happened", (Guid?)null, (Guid?)null, (string?)null), (line.Action, line.Detail, line.SubjectId, line.ActorId, line.IpAddress));
        // The current preference stays: it is the state, not history.
        Assert.True(await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().AnyAsync(r => r.Id == ids.CurrentPreference)));

        var summary = await host.DbAsync(db => db.AuditEvents.Where(e => e.Action.StartsWith("retention.portal-records")).Select(e => e.Detail!).ToListAsync());
        Assert.Contains(summary, d => d.StartsWith("magicLinkTokens: ", StringComparison.Ordinal));
        Assert.Contains(summary, d => d.StartsWith("requests: 1 row(s)", StringComparison.Ordinal));
        Assert.Contains(summary, d => d.StartsWith("auditLog: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_audit_log_still_refuses_every_other_update_and_every_delete()
    {
        var line = await host.DbAsync(async db =>
        {
            var e = new AuditEvent { OccurredAt = Start, SubjectId = Guid.NewGuid(), Action = "test.append-only", IpAddress = "192.0.2.1" };
            db.AuditEvents.Add(e);
            await db.SaveChangesAsync();
            return e.Id;
        });

        // Without the sweep's permit, not even unlinking goes through.
        await AssertRefusedAsync(db => db.AuditEvents.Where(e => e.Id == line).ExecuteUpdateAsync(s => s.SetProperty(e => e.SubjectId, (Guid?)null).SetProperty(e => e.IpAddress, (string?)null)));
        // With a permit, only a change that clears the links and nothing else.
        await AssertRefusedAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(new AuditUnlinkPermit { Id = Guid.NewGuid(), GrantedAt = Start });
            await db.SaveChangesAsync();
            return await db.AuditEvents.Where(e => e.Id == line).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.SubjectId, (Guid?)null).SetProperty(e => e.IpAddress, (string?)null).SetProperty(e => e.Action, "test.rewritten"));
        });
        await AssertRefusedAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Add(new AuditUnlinkPermit { Id = Guid.NewGuid(), GrantedAt = Start });
            await db.SaveChangesAsync();
            return await db.AuditEvents.Where(e => e.Id == line).ExecuteDeleteAsync();
        });

        var kept = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Id == line));
        Assert.Equal(("test.append-only", "192.0.2.1"), (kept.Action, kept.IpAddress));
        Assert.NotNull(kept.SubjectId);
        Assert.False(await host.DbAsync(db => db.Set<AuditUnlinkPermit>().AnyAsync()));
    }

    [Fact]
    public async Task The_retention_report_lists_the_rules_for_the_portals_own_records()
    {
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        var page = await dpo.GetPageAsync("/staff/retention");

        var rows = page.QuerySelectorAll("#portal-records tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(7, rows.Count);
        Assert.Contains(rows, r => r.Contains("requests", StringComparison.Ordinal) && r.Contains("3 years after closed", StringComparison.Ordinal) && r.Contains("deleted", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("cookieConsents", StringComparison.Ordinal) && r.Contains("48 months after recorded", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("auditLog", StringComparison.Ordinal) && r.Contains("5 years after occurred", StringComparison.Ordinal) && r.Contains("kept, unlinked from the person", StringComparison.Ordinal));
    }

    [Flags]
    private enum Present
    {
        None = 0,
        Request = 1,
        OldPreference = 2,
        CookieConsent = 4,
        Session = 8,
        Token = 16,
        Mail = 32,
        LinkedAudit = 64,
        All = 127,
    }

    private sealed record Seeded(Guid Request, long OldPreference, long CurrentPreference, long CookieConsent, Guid Session, Guid Token, Guid Mail, long Audit);

    private async Task<Present> RunAndSeeAsync(DateTimeOffset now, Seeded ids)
    {
        host.Factory.Clock.SetUtcNow(now);
        Assert.True(await host.Factory.Services.GetRequiredService<RetentionJob>().TryRunOnceAsync(CancellationToken.None));
        return await host.DbAsync(async db =>
        {
            var present = Present.None;
            if (await db.Set<PrivacyRequest>().AnyAsync(r => r.Id == ids.Request))
            {
                present |= Present.Request;
                Assert.True(await db.Set<PrivacyRequestEvent>().AnyAsync(e => e.RequestId == ids.Request));
                Assert.True(await db.Set<RecipientTask>().AnyAsync(t => t.RequestId == ids.Request));
            }
            else
            {
                Assert.False(await db.Set<PrivacyRequestEvent>().AnyAsync(e => e.RequestId == ids.Request));
                Assert.False(await db.Set<RecipientTask>().AnyAsync(t => t.RequestId == ids.Request));
            }

            present |= await db.Set<MarketingPreferenceRecord>().AnyAsync(r => r.Id == ids.OldPreference) ? Present.OldPreference : Present.None;
            present |= await db.Set<CookieConsentRecord>().AnyAsync(r => r.Id == ids.CookieConsent) ? Present.CookieConsent : Present.None;
            present |= await db.Sessions.AnyAsync(s => s.Id == ids.Session) ? Present.Session : Present.None;
            present |= await db.MagicLinkTokens.AnyAsync(t => t.Id == ids.Token) ? Present.Token : Present.None;
            present |= await db.Outbox.AnyAsync(m => m.Id == ids.Mail) ? Present.Mail : Present.None;
            present |= await db.AuditEvents.AnyAsync(e => e.Id == ids.Audit && e.SubjectId != null) ? Present.LinkedAudit : Present.None;
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Id == ids.Audit));
            return present;
        });
    }

    /// <summary>One record of each kind whose period starts at <paramref name="at"/>.</summary>
    private Task<Seeded> SeedAsync(Guid kari, DateTimeOffset at) => host.DbAsync(async db =>
    {
        var request = new PrivacyRequest
        {
            Id = Guid.NewGuid(), Reference = "PR-TEST-0001", SubjectId = kari, Kind = RequestKind.Erasure, Status = RequestStatus.Closed,
            Controllers = PrivacyRequest.JoinControllers(["innore-no"]), ReceivedAt = at.AddMonths(-1), FirstDueOn = DateOnly.FromDateTime(at.UtcDateTime),
            DueOn = DateOnly.FromDateTime(at.UtcDateTime), UpdatedAt = at, ClosedAt = at, IdempotencyKey = Guid.NewGuid(),
        };
        db.Add(request);
        db.Add(new PrivacyRequestEvent { RequestId = request.Id, OccurredAt = at, Kind = RequestEventKind.PersonMessage, Text = "Please erase my data" });
        db.Add(new RecipientTask { StoreId = "innore-no", SubjectId = kari, RequestId = request.Id, Kind = RecipientTaskKind.Erasure, CreatedAt = at, AcknowledgedAt = at });
        MarketingPreferenceRecord Preference(int version, bool enabled, DateTimeOffset when) => new()
        {
            SubjectId = kari, ControllerId = "innore-no", Kind = PreferenceKind.DirectMarketing, Target = "sms", Version = version, Enabled = enabled,
            Actor = PreferenceActorKind.Person, ActorId = kari, Channel = PreferenceChannel.Portal, PolicyRevision = "2026-05-01", OccurredAt = when,
        };
        var old = Preference(1, true, at.AddMonths(-6));
        var current = Preference(2, false, at);
        db.AddRange(old, current);
        var consent = new CookieConsentRecord { ConsentId = Guid.NewGuid(), Categories = "necessary analytics", Action = CookieConsentAction.Choose, PolicyRevision = "2026-05-01", GivenAt = at, RecordedAt = at };
        db.Add(consent);
        var session = new UserSession { Id = Guid.NewGuid(), SubjectId = kari, CreatedAt = at.AddHours(-1), LastSeenAt = at, ExpiresAt = at.AddHours(8), EndedAt = at, AuthenticationMethod = "magic-link" };
        db.Add(session);
        var token = new MagicLinkToken { Id = Guid.NewGuid(), TokenHash = new string('a', 64), CodeHash = new string('b', 64), Email = PortalHost.Kari, SubjectId = kari, CreatedAt = at.AddMinutes(-15), ExpiresAt = at };
        db.Add(token);
        var mail = new OutboxMessage { Id = Guid.NewGuid(), To = PortalHost.Kari, Subject = "Your request", TextBody = "…", HtmlBody = "…", Kind = "request-closed", Status = OutboxStatus.Sent, CreatedAt = at, NextAttemptAt = at, SentAt = at };
        db.Add(mail);
        var audit = new AuditEvent { OccurredAt = at, ActorId = kari, SubjectId = kari, Action = "test.portal-records", Detail = "what happened", IpAddress = "192.0.2.7" };
        db.Add(audit);
        await db.SaveChangesAsync();
        return new Seeded(request.Id, old.Id, current.Id, consent.Id, session.Id, token.Id, mail.Id, audit.Id);
    });

    private async Task AssertRefusedAsync(Func<PortalDbContext, Task<int>> change)
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.DbAsync(change));
        Assert.Contains(AnonymisedRecordsAndAppendOnlyAudit.Refusal, refused.ToString(), StringComparison.Ordinal);
    }
}
