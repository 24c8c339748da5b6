using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.LegalHolds;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Features.Retention;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>
/// The privacy officer's legal hold on a person: only the officer places and lifts it, both audited;
/// erasure and the retention sweep keep the held records; the person is told, without a confidential reason.
/// </summary>
public sealed class LegalHoldTests
{
    private const string Reason = "Dispute over order NO-2025-1290 before the Consumer Disputes Commission.";

    [Fact]
    public async Task Only_the_privacy_officer_places_and_lifts_a_hold_and_both_are_audited()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var requestId = await RequestFlows.FileAsync(kari, "en", RequestKind.Access);

        using (var support = await host.StaffAsync(PortalHost.Support))
        {
            var page = await support.GetPageAsync($"/staff/people/{kariId}");
            Assert.Null(page.QuerySelector("#place-hold-form"));
            Assert.Contains("Only the privacy officer places and lifts legal holds.", page.QuerySelector("#legal-holds")!.TextContent, StringComparison.Ordinal);
            var token = (await PortalHost.FormAsync(support, $"/staff/requests/{requestId}", "#action-message")).RequestVerificationToken!;
            using var place = await support.PostFormAsync($"/staff/people/{kariId}?handler=PlaceHold", [new("Hold.Reason", Reason), new(HtmlForm.AntiforgeryFieldName, token)]);
            Assert.Equal(HttpStatusCode.Forbidden, place.StatusCode);
        }

        Assert.Equal(0, await host.DbAsync(db => db.Set<LegalHold>().CountAsync()));
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        using (var noReason = await (await PortalHost.FormAsync(dpo, $"/staff/people/{kariId}", "#place-hold-form")).Set("Hold.Reason", "  ").SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            Assert.Contains("Write the reason for the hold.", await noReason.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await host.DbAsync(db => db.Set<LegalHold>().CountAsync()));
        var form = await PortalHost.FormAsync(dpo, $"/staff/people/{kariId}", "#place-hold-form");
        using (var placed = await form.Set("Hold.Reason", Reason).Check("Hold.Categories", "innore-no/orders").Set("Hold.EndsOn", "2027-03-31").SubmitAsync())
        {
            var page = await PortalHost.FollowAsync(dpo, placed);
            var holds = page.QuerySelector("#legal-holds")!.TextContent;
            Assert.Contains("INNORE AS: Order data", holds, StringComparison.Ordinal);
            Assert.Contains("until 31 March 2027", holds, StringComparison.Ordinal);
            Assert.Contains(Reason, holds, StringComparison.Ordinal);
        }

        // The request page shows it too, to whoever handles the person's requests.
        Assert.Contains(Reason, (await dpo.GetPageAsync($"/staff/requests/{requestId}")).QuerySelector("#legal-holds")!.TextContent, StringComparison.Ordinal);

        var hold = await host.DbAsync(db => db.Set<LegalHold>().AsNoTracking().SingleAsync());
        using (var liftBySupport = await LiftAsync(await host.StaffAsync(PortalHost.Support), kariId, hold.Id, requestId))
        {
            Assert.Equal(HttpStatusCode.Forbidden, liftBySupport.StatusCode);
        }

        await (await PortalHost.FormAsync(dpo, $"/staff/people/{kariId}", $"#lift-hold-{hold.Id}")).SubmitAsync();
        Assert.NotNull(await host.DbAsync(db => db.Set<LegalHold>().Where(h => h.Id == hold.Id).Select(h => h.LiftedAt).SingleAsync()));
        Assert.NotNull((await dpo.GetPageAsync($"/staff/people/{kariId}")).QuerySelector("#no-holds"));

        var dpoId = await host.UserIdAsync(PortalHost.Dpo);
        var lines = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.SubjectId == kariId && e.Action.Contains("legal-hold")).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([LegalHoldAudit.Placed, LegalHoldAudit.Lifted], lines.Select(e => e.Action));
        Assert.All(lines, e => Assert.Equal(dpoId, e.ActorId));
        Assert.Equal($"innore-no/orders; until 2027-03-31; reason: {Reason}", lines[0].Detail);
        var forbidden = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.SubjectId == kariId && e.Action == "staff.forbidden").Select(e => e.Detail!).ToListAsync());
        Assert.Equal(["place a legal hold: needs the PrivacyOfficer role", "lift a legal hold: needs the PrivacyOfficer role"], forbidden);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Erasure_keeps_held_records_restricted_and_the_plan_and_reply_say_so_without_a_confidential_reason(bool confidential)
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var form = (await PortalHost.FormAsync(dpo, $"/staff/people/{kariId}", "#place-hold-form"))
            .Set("Hold.Reason", Reason).Check("Hold.Categories", "innore-no/customer-account").Set("Hold.EndsOn", "2027-03-31");
        if (confidential)
        {
            form.Check("Hold.Confidential", "true");
        }

        using (var placed = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        }

        var expected = confidential
            ? "kept, restricted, under a legal hold (1 record) They are needed to establish, exercise or defend legal claims (GDPR Art. 17(3)(e)); we cannot tell you more about the reason at present."
            : $"kept, restricted, under a legal hold until 31 March 2027 (1 record) Reason: {Reason.TrimEnd('.')}. They are needed to establish, exercise or defend legal claims (GDPR Art. 17(3)(e)).";
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        // Mails speak the person's stored language: here Kari reads English.
        await host.DbAsync(db => db.Users.Where(u => u.Email == PortalHost.Kari).ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredCulture, "en")));
        var plan = Text((await kari.GetPageAsync("/en/requests/new?kind=Erasure")).QuerySelector(".plan-card")!.TextContent);
        Assert.Contains(expected, plan, StringComparison.Ordinal);
        Assert.Equal(!confidential, plan.Contains("Consumer Disputes Commission", StringComparison.Ordinal));

        var id = await RequestFlows.FileAsync(kari, "en", RequestKind.Erasure);
        await RequestFlows.StaffDoAsync(dpo, id, "carry-out");

        var account = await host.DbAsync(db => db.HeldRecords.AsNoTracking().SingleAsync(r => r.SubjectId == kariId && r.CategoryId == "customer-account"));
        Assert.NotNull(account.RestrictedAt);
        // Not held: erased as usual.
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.CategoryId == "identity")));
        var mail = Assert.Single(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-completed");
        Assert.Contains("Customer account: " + expected, Text(mail.TextBody), StringComparison.Ordinal);
        Assert.Equal(!confidential, mail.TextBody.Contains("Consumer Disputes Commission", StringComparison.Ordinal));

        using var store = new StoreApiCaller(host);
        var records = await store.TaskRecordsAsync(await store.TokenAsync(DevClients.No, DevClients.NoSecret));
        Assert.Contains(records, r => r.Kind == "erasure" && r.Record.GetProperty("category").GetString() == "customer-account" && r.Record.GetProperty("action").GetString() == "restrict");
    }

    [Fact]
    public async Task The_retention_sweep_skips_held_records_until_the_holds_last_day_has_passed()
    {
        using var host = new PortalHost(new DateTimeOffset(2026, 12, 31, 6, 0, 0, TimeSpan.Zero));
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using (var dpo = await host.StaffAsync(PortalHost.Dpo))
        {
            var form = (await PortalHost.FormAsync(dpo, $"/staff/people/{kariId}", "#place-hold-form"))
                .Set("Hold.Reason", Reason).Check("Hold.Categories", "innore-no/orders").Check("Hold.Categories", "innore-no/payment").Set("Hold.EndsOn", "2027-01-04");
            using var placed = await form.SubmitAsync();
            Assert.Equal(HttpStatusCode.Redirect, placed.StatusCode);
        }

        var job = host.Factory.Services.GetRequiredService<RetentionJob>();
        var total = await host.DbAsync(db => db.HeldRecords.CountAsync());

        // 1 January 2027: the 2021 order and payment have passed their retention end, but are held.
        host.Factory.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 6, 0, 0, TimeSpan.Zero));
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None));
        Assert.Equal(total, await host.DbAsync(db => db.HeldRecords.CountAsync()));
        var swept = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == "retention.swept").Select(e => e.Detail!).SingleAsync());
        Assert.Equal("2027-01-01: 0 record(s) deleted, 0 anonymised, 2 kept under a legal hold", swept);

        // The hold's last day was 4 January: on the 5th it no longer applies.
        host.Factory.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 5, 6, 0, 0, TimeSpan.Zero));
        Assert.True(await job.TryRunOnceAsync(CancellationToken.None));
        Assert.Equal(total - 2, await host.DbAsync(db => db.HeldRecords.CountAsync()));
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.RetentionFrom.Year == 2021 && (r.CategoryId == "orders" || r.CategoryId == "payment"))));
    }

    private static async Task<HttpResponseMessage> LiftAsync(CookieAwareClient staff, Guid personId, long holdId, Guid requestId)
    {
        using (staff)
        {
            var token = (await PortalHost.FormAsync(staff, $"/staff/requests/{requestId}", "#action-message")).RequestVerificationToken!;
            return await staff.PostFormAsync($"/staff/people/{personId}?handler=LiftHold&holdId={holdId}", [new(HtmlForm.AntiforgeryFieldName, token)]);
        }
    }

    /// <summary>Pages keep "(1 record)" and "§ 13" together with no-break spaces; compare words.</summary>
    private static string Text(string text) => string.Join(' ', text.Replace('\u00A0', ' ').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
