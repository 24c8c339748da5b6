using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>Erasure on the demo people, record by record, against the policy's retention rules.</summary>
public sealed class ErasureTests
{
    // The policy's rules, restated: categories under a legal retention duty, and the years they are
    // kept after the end of the financial year (31 December) of the transaction.
    private static readonly string[] DutyCategories = ["orders", "payment", "configurator-drawings", "project-data", "contract-invoicing"];

    private static DateOnly? ExpectedKeptUntil(string controller, string category, DateOnly from, DateOnly today)
    {
        if (!DutyCategories.Contains(category))
        {
            return null;
        }

        var until = new DateOnly(from.Year + (controller == "innore-no" ? 5 : 7), 12, 31);
        return until >= today ? until : null;
    }

    [Fact]
    public async Task Karis_plan_is_shown_before_filing_in_norwegian_with_dates_and_laws()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");

        var page = await kari.GetPageAsync("/nb/requests/new?kind=Erasure");
        var plan = page.QuerySelector(".plan-card")!.TextContent.Replace('\u00A0', ' ');

        Assert.Contains("INNORE AS", plan, StringComparison.Ordinal);
        Assert.Contains("Innore OÜ", plan, StringComparison.Ordinal);
        // the 2021 order is kept until the end of 2026, the 2024 one until the end of 2029 (bokføringsloven § 13)
        Assert.Contains("oppbevares til 31. desember 2026 etter bokføringsloven § 13", plan, StringComparison.Ordinal);
        Assert.Contains("oppbevares til 31. desember 2029 etter bokføringsloven § 13", plan, StringComparison.Ordinal);
        // INNORE AS's production order at the parent is kept under the Estonian Accounting Act (2024 + 7)
        Assert.Contains("oppbevares til 31. desember 2031 etter den estiske regnskapsloven (raamatupidamise seadus) § 12", plan, StringComparison.Ordinal);
        Assert.Contains("slettes nå", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PortalHost.Kari, "nb")]
    [InlineData(PortalHost.Mari, "et")]
    [InlineData(PortalHost.Ola, "nb")]
    public async Task Carrying_out_an_erasure_deletes_what_may_go_and_restricts_what_the_law_keeps(string email, string culture)
    {
        using var host = new PortalHost();
        var today = DateOnly.FromDateTime(PortalHost.DefaultNow.UtcDateTime);
        var personId = await host.UserIdAsync(email);
        var before = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == personId).ToListAsync());
        using var person = await host.SignInAsync(email, culture);

        var id = await RequestFlows.FileAsync(person, culture, RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        await RequestFlows.StaffDoAsync(dpo, id, "carry-out");

        var after = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == personId).ToDictionaryAsync(r => r.Id));
        foreach (var record in before)
        {
            var keptUntil = ExpectedKeptUntil(record.ControllerId, record.CategoryId, record.RetentionFrom, today);
            var what = $"{record.ControllerId}/{record.CategoryId} {record.Summary} ({record.RetentionFrom:yyyy-MM-dd})";
            if (keptUntil is null)
            {
                Assert.False(after.ContainsKey(record.Id), what + " should have been erased");
            }
            else
            {
                Assert.True(after.TryGetValue(record.Id, out var kept), what + $" should be kept until {keptUntil:yyyy-MM-dd}");
                Assert.NotNull(kept.RestrictedAt);
            }
        }

        Assert.NotEmpty(after);
        var outcome = ErasurePlanner.Deserialize(await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.OutcomeJson).SingleAsync()));
        Assert.Equal(before.Count, outcome.Sum(l => l.Records));
        var completed = (await host.MailsToAsync(email)).Single(m => m.Kind == "request-completed");
        Assert.Contains(outcome.Where(l => l.KeepUntil is not null).Max(l => l.KeepUntil)!.Value.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), completed.TextBody, StringComparison.Ordinal);

        // Still signed in: restricted data is left, which the person can still see and export.
        using var myData = await person.GetAsync($"/{culture}/my-data");
        Assert.Equal(HttpStatusCode.OK, myData.StatusCode);
    }

    [Fact]
    public async Task Kari_keeps_exactly_the_records_the_policy_keeps_and_each_store_gets_a_task()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Erasure);

        var filedMail = (await host.MailsToAsync(PortalHost.Kari)).Single();
        Assert.Contains("INNORE AS — Ordreopplysninger: oppbevares til 31. desember 2026 etter bokføringsloven § 13", filedMail.TextBody, StringComparison.Ordinal);

        using var support = await host.StaffAsync(PortalHost.Support);
        await RequestFlows.StaffDoAsync(support, id, "carry-out");

        var left = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == kariId)
            .OrderBy(r => r.ControllerId).ThenBy(r => r.CategoryId).ThenBy(r => r.RetentionFrom)
            .Select(r => new { r.ControllerId, r.CategoryId, r.RetentionFrom }).ToListAsync());
        Assert.Equal(
            [
                "innore-ee/configurator-drawings/2024-03-10",
                "innore-no/configurator-drawings/2024-03-10",
                "innore-no/orders/2021-02-03", "innore-no/orders/2022-06-18", "innore-no/orders/2023-11-02", "innore-no/orders/2024-03-10", "innore-no/orders/2025-09-14",
                "innore-no/payment/2021-02-03", "innore-no/payment/2022-06-18", "innore-no/payment/2023-11-02", "innore-no/payment/2024-03-10", "innore-no/payment/2025-09-14",
            ],
            left.Select(r => $"{r.ControllerId}/{r.CategoryId}/{r.RetentionFrom:yyyy-MM-dd}"));

        var tasks = await host.DbAsync(db => db.Set<RecipientTask>().AsNoTracking().Where(t => t.RequestId == id).OrderBy(t => t.StoreId).ToListAsync());
        Assert.Equal(["innore-eu", "innore-no"], tasks.Select(t => t.StoreId));
        Assert.All(tasks, t => Assert.Equal(RecipientTaskKind.Erasure, t.Kind));
        Assert.Contains("\"externalId\":\"NO-2021-0142\",\"action\":\"restrict\",\"keepUntil\":\"2026-12-31\"", tasks[1].Payload, StringComparison.Ordinal);
        Assert.Contains("\"category\":\"marketing\",\"externalId\":null,\"action\":\"erase\"", tasks[1].Payload, StringComparison.Ordinal);

        var page = await kari.GetPageAsync($"/nb/requests/{id}");
        var text = page.QuerySelector("main")!.TextContent.Replace('\u00A0', ' ');
        Assert.Contains("oppbevares til 31. desember 2030 etter bokføringsloven § 13", text, StringComparison.Ordinal);
        Assert.Contains("slettet (antall: 1)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_may_keep_an_erasable_category_restricted_until_its_retention_end()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var id = await RequestFlows.FileAsync(kari, "en", RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        await RequestFlows.StaffDoAsync(dpo, id, "carry-out", f => f.Set("Input.Choices[innore-no/customer-account]", "KeepRestricted"));

        var account = await host.DbAsync(db => db.HeldRecords.AsNoTracking().SingleAsync(r => r.SubjectId == kariId && r.CategoryId == "customer-account"));
        Assert.NotNull(account.RestrictedAt);
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.CategoryId == "marketing")));
    }

    [Fact]
    public async Task When_nothing_is_left_the_account_is_removed_and_every_session_ends()
    {
        using var host = new PortalHost();
        const string email = "only.newsletter@example.no";
        await host.DbAsync(async db =>
        {
            using var scope = host.Factory.Services.CreateScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<DataSubject>>();
            var person = new DataSubject { Id = Guid.NewGuid(), UserName = email, Email = email, DisplayName = "Nina Nyhetsbrev", PreferredCulture = "nb", CreatedAt = PortalHost.DefaultNow };
            Assert.True((await users.CreateAsync(person)).Succeeded);
            var s = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            s.HeldRecords.Add(new HeldRecord { SubjectId = person.Id, ControllerId = "innore-no", CategoryId = "marketing", Summary = "Newsletter", Content = "{\"newsletter\":\"subscribed\"}", RetentionFrom = new DateOnly(2026, 10, 1), CreatedAt = PortalHost.DefaultNow, UpdatedAt = PortalHost.DefaultNow });
            await s.SaveChangesAsync();
        });
        var personId = await host.UserIdAsync(email);
        using var phone = await host.SignInAsync(email, "nb");
        using var laptop = await host.SignInAsync(email, "nb");
        var id = await RequestFlows.FileAsync(phone, "nb", RequestKind.Erasure);

        using var support = await host.StaffAsync(PortalHost.Support);
        await RequestFlows.StaffDoAsync(support, id, "carry-out");

        using (var response = await laptop.GetAsync("/nb/my-data"))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/nb/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        var account = await host.DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == personId));
        Assert.Null(account.Email);
        Assert.Equal("", account.DisplayName);
        Assert.False(await host.DbAsync(db => db.Sessions.AnyAsync(s => s.SubjectId == personId && s.EndedAt == null)));
        var completed = (await host.MailsToAsync(email)).Single(m => m.Kind == "request-completed");
        Assert.Contains("kontoen din i personvernportalen er også fjernet", completed.TextBody, StringComparison.Ordinal);

        // The request stays for the record, and staff still see it.
        using var page = await support.GetAsync($"/staff/requests/{id}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }
}
