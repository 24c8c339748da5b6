using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>Erasure on the demo people, record by record, against the policy's retention rules.</summary>
public sealed class ErasureTests
{
    // What each demo person keeps after an erasure on 23 November 2026, record by record
    // (controller/category/date it counts from -> kept until), restated by hand from the policy:
    // INNORE AS keeps accounting data 5 years after the end of the accounting year (bokføringsloven
    // § 13), Innore OÜ 7 years (Estonian Accounting Act § 12); everything else is erased, drawings
    // and project correspondence too: they are no bookkeeping records (the seed's retention table).
    private static readonly Dictionary<string, Dictionary<string, DateOnly>> Kept = new()
    {
        [PortalHost.Kari] = new()
        {
            ["innore-no/orders/2021-02-03"] = new(2026, 12, 31),
            ["innore-no/orders/2022-06-18"] = new(2027, 12, 31),
            ["innore-no/orders/2023-11-02"] = new(2028, 12, 31),
            ["innore-no/orders/2024-03-10"] = new(2029, 12, 31),
            ["innore-no/orders/2025-09-14"] = new(2030, 12, 31),
            ["innore-no/payment/2021-02-03"] = new(2026, 12, 31),
            ["innore-no/payment/2022-06-18"] = new(2027, 12, 31),
            ["innore-no/payment/2023-11-02"] = new(2028, 12, 31),
            ["innore-no/payment/2024-03-10"] = new(2029, 12, 31),
            ["innore-no/payment/2025-09-14"] = new(2030, 12, 31),
        },
        [PortalHost.Mari] = new()
        {
            ["innore-ee/orders/2023-08-11"] = new(2030, 12, 31),
            ["innore-ee/orders/2025-05-20"] = new(2032, 12, 31),
            ["innore-ee/payment/2025-05-20"] = new(2032, 12, 31),
        },
        [PortalHost.Ola] = new()
        {
            ["innore-no/contract-invoicing/2025-11-30"] = new(2030, 12, 31),
            ["innore-ee/contract-invoicing/2025-12-12"] = new(2032, 12, 31),
        },
    };

    [Fact]
    public async Task Karis_plan_is_shown_before_filing_in_norwegian_with_dates_and_laws()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");

        var page = await kari.GetPageAsync("/nb/requests/new?kind=Erasure");
        var plan = page.QuerySelector(".plan-card")!.TextContent.Replace('\u00A0', ' ');

        Assert.Contains("INNORE AS", plan, StringComparison.Ordinal);
        Assert.Contains("Innore OÜ", plan, StringComparison.Ordinal);
        // Her five orders (2021-2025) are kept until the end of 2026-2030 (bokføringsloven § 13): one line with the range, not five.
        Assert.Contains("oppbevares til 31.12.2026–31.12.2030 etter bokføringsloven § 13", plan, StringComparison.Ordinal);
        Assert.Contains("(5 registreringer, hver til sin egen dato)", plan, StringComparison.Ordinal);
        Assert.Single(page.QuerySelectorAll(".plan__outcomes li"), li => li.TextContent.Contains("bokføringsloven", StringComparison.Ordinal) && li.ParentElement!.ParentElement!.TextContent.Contains("Ordreopplysninger", StringComparison.Ordinal));
        // Her drawing at the parent is no bookkeeping record: nothing is kept under the Estonian Accounting Act.
        Assert.DoesNotContain("den estiske regnskapsloven", plan, StringComparison.Ordinal);
        // Filed today (23 November 2026), the request is due a month later: that is when the erasure happens at the latest, not "now".
        Assert.Contains("slettes senest 23.12.2026", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("slettes nå (", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PortalHost.Kari, "nb")]
    [InlineData(PortalHost.Mari, "et")]
    [InlineData(PortalHost.Ola, "nb")]
    public async Task Carrying_out_an_erasure_deletes_what_may_go_and_restricts_what_the_law_keeps(string email, string culture)
    {
        using var host = new PortalHost();
        var personId = await host.UserIdAsync(email);
        var before = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == personId).ToListAsync());
        using var person = await host.SignInAsync(email, culture);

        var id = await RequestFlows.FileAsync(person, culture, RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        await RequestFlows.StaffDoAsync(dpo, id, "carry-out");

        var after = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == personId).ToDictionaryAsync(r => r.Id));
        var expected = Kept[email];
        foreach (var record in before)
        {
            var key = $"{record.ControllerId}/{record.CategoryId}/{record.RetentionFrom:yyyy-MM-dd}";
            if (!expected.TryGetValue(key, out var keptUntil))
            {
                Assert.False(after.ContainsKey(record.Id), key + " should have been erased");
            }
            else
            {
                Assert.True(after.TryGetValue(record.Id, out var kept), key + $" should be kept until {keptUntil:yyyy-MM-dd}");
                Assert.NotNull(kept.RestrictedAt);
            }
        }

        Assert.Equal(expected.Count, after.Count);
        var outcome = ErasurePlanner.Deserialize(await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.OutcomeJson).SingleAsync()));
        Assert.Equal(before.Count, outcome.Sum(l => l.Records));
        // Each kept record's date, as the outcome (shown to the person and mailed) states it.
        var keptLines = outcome.Where(l => l.Outcome == RecordOutcome.KeepRestricted)
            .Select(l => $"{l.ControllerId}/{l.CategoryId} until {l.KeepUntil:yyyy-MM-dd}: {l.Records}")
            .Order(StringComparer.Ordinal);
        var expectedLines = expected
            .GroupBy(p => (Category: p.Key[..p.Key.LastIndexOf('/')], Until: p.Value))
            .Select(g => $"{g.Key.Category} until {g.Key.Until:yyyy-MM-dd}: {g.Count()}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(expectedLines, keptLines);
        var completed = (await host.MailsToAsync(email)).Single(m => m.Kind == "request-completed");
        Assert.Contains(expected.Values.Max().Year.ToString(System.Globalization.CultureInfo.InvariantCulture), completed.TextBody, StringComparison.Ordinal);

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
        Assert.Contains("INNORE AS — Ordreopplysninger: oppbevares til 31.12.2026–31.12.2030 etter bokføringsloven § 13", filedMail.TextBody, StringComparison.Ordinal);

        using var support = await host.StaffAsync(PortalHost.Support);
        await RequestFlows.StaffDoAsync(support, id, "carry-out");

        var left = await host.DbAsync(db => db.HeldRecords.AsNoTracking().Where(r => r.SubjectId == kariId)
            .OrderBy(r => r.ControllerId).ThenBy(r => r.CategoryId).ThenBy(r => r.RetentionFrom)
            .Select(r => new { r.ControllerId, r.CategoryId, r.RetentionFrom }).ToListAsync());
        Assert.Equal(
            [
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
        Assert.Contains("oppbevares til 31.12.2026–31.12.2030 etter bokføringsloven § 13", text, StringComparison.Ordinal);
        Assert.Contains("slettet (1 registrering)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Staff_may_keep_an_erasable_category_restricted_until_its_retention_end()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var id = await RequestFlows.FileAsync(kari, "en", RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        await RequestFlows.StaffDoAsync(dpo, id, "carry-out", f => f.Set("Input.Choices[innore-no/customer-account]", "LegalClaims"));

        var account = await host.DbAsync(db => db.HeldRecords.AsNoTracking().SingleAsync(r => r.SubjectId == kariId && r.CategoryId == "customer-account"));
        Assert.NotNull(account.RestrictedAt);
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.CategoryId == "marketing")));
    }

    [Fact]
    public async Task Carrying_out_an_erasure_first_shows_what_it_will_erase_keep_and_tell_and_changes_nothing_until_confirmed()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var before = await host.DbAsync(db => db.HeldRecords.CountAsync(r => r.SubjectId == kariId));
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        // The request page names who is signed in and links to the person.
        var details = await dpo.GetPageAsync($"/staff/requests/{id}");
        Assert.Equal($"/staff/people/{kariId}", details.QuerySelector("#request-person-link")!.GetAttribute("href"));
        Assert.StartsWith("Signed in as ", details.QuerySelector("#staff-signed-in-as")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.True(details.QuerySelector("#staff-signed-in-as")!.TextContent.Trim().Length > "Signed in as ".Length);

        var form = await PortalHost.FormAsync(dpo, $"/staff/requests/{id}", "#action-carry-out");
        using var reviewed = await form.SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, reviewed.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(reviewed);
        var review = page.QuerySelector("#carry-out-review")!.TextContent.Replace('\u00A0', ' ');
        Assert.Contains("Check before you carry out the erasure", review, StringComparison.Ordinal);
        Assert.Contains("INNORE AS", review, StringComparison.Ordinal);
        // Orders are a bookkeeping record: the policy's proposal keeps them, restricted.
        Assert.Contains("Order", review, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("#review-stores"));
        Assert.Contains("Every company’s marketing to the person stops", review, StringComparison.Ordinal);
        Assert.Equal(before, await host.DbAsync(db => db.HeldRecords.CountAsync(r => r.SubjectId == kariId)));
        Assert.Equal(RequestStatus.Received, await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync()));
        Assert.Equal(0, await host.DbAsync(db => db.Set<RecipientTask>().CountAsync(t => t.RequestId == id)));

        using var confirmed = await HtmlForm.From(dpo, page, "#carry-out-review form").SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.True(await host.DbAsync(db => db.HeldRecords.CountAsync(r => r.SubjectId == kariId)) < before);
        Assert.Equal(RequestStatus.Completed, await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync()));
        var stores = page.QuerySelector("#review-stores")!.TextContent;
        var told = await host.DbAsync(db => db.Set<RecipientTask>().Where(t => t.RequestId == id).Select(t => t.StoreId).Distinct().ToListAsync());
        Assert.NotEmpty(told);
        var policy = host.Factory.Services.GetRequiredService<PrivacyPortal.Features.Policy.PolicyCatalog>();
        Assert.All(told, store => Assert.Contains(policy.Stores.Single(s => s.Id == store).Name, stores, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Staff_may_anonymise_a_category_the_policy_says_how_to_and_it_no_longer_belongs_to_the_person()
    {
        using var host = new PortalHost();
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var technical = await host.DbAsync(db => db.HeldRecords.AsNoTracking().SingleAsync(r => r.SubjectId == mariId && r.CategoryId == "technical"));
        using var mari = await host.SignInAsync(PortalHost.Mari, "et");
        var id = await RequestFlows.FileAsync(mari, "et", RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        // Only categories with an anonymisation rule in the policy offer it.
        var form = await PortalHost.FormAsync(dpo, $"/staff/requests/{id}", "#action-carry-out");
        Assert.Contains("Anonymise now (keeps browser, visits", form.Element.QuerySelector("select[name='Input.Choices[innore-ee/technical]']")!.TextContent, StringComparison.Ordinal);
        Assert.Null(form.Element.QuerySelector("select[name='Input.Choices[innore-ee/marketing]'] option[value='Anonymise']"));

        await RequestFlows.StaffDoAsync(dpo, id, "carry-out", f => f.Set("Input.Choices[innore-ee/technical]", "Anonymise"));

        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.Id == technical.Id)));
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == mariId && r.CategoryId == "marketing")));
        var anonymous = await host.DbAsync(db => db.Set<AnonymisedRecord>().AsNoTracking().SingleAsync());
        Assert.Equal(("innore-ee", "technical", 2026), (anonymous.ControllerId, anonymous.CategoryId, anonymous.Year));
        Assert.Equal("browser=Firefox 140; visits=14", PrivacyPortal.Tests.Features.Retention.RetentionJobTests.Fields(anonymous.Content));

        var audit = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == "staff.anonymised").ToListAsync());
        var line = Assert.Single(audit);
        Assert.Equal(mariId, line.SubjectId);
        Assert.Equal(await host.UserIdAsync(PortalHost.Dpo), line.ActorId);
        Assert.Contains("innore-ee/technical: 1 record(s) kept without the link to the person: browser, visits", line.Detail, StringComparison.Ordinal);

        var task = await host.DbAsync(db => db.Set<RecipientTask>().AsNoTracking().SingleAsync(t => t.RequestId == id && t.StoreId == "innore-eu"));
        Assert.Contains("\"category\":\"technical\",\"externalId\":null,\"action\":\"anonymise\",\"keepUntil\":null,\"keepFields\":[\"browser\",\"visits\"]", task.Payload, StringComparison.Ordinal);

        // Gone from her data and her export; the outcome says it was anonymised.
        var myData = await mari.GetPageAsync("/et/my-data");
        Assert.DoesNotContain("Firefox 140", myData.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        using (var export = await HtmlForm.From(mari, myData, "form[action='/et/my-data/export']").SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            await using var stream = await export.Content.ReadAsStreamAsync();
            using var zip = new System.IO.Compression.ZipArchive(stream);
            using var reader = new StreamReader(zip.GetEntry("data.json")!.Open());
            var json = await reader.ReadToEndAsync();
            Assert.DoesNotContain("Firefox 140", json, StringComparison.Ordinal);
            Assert.Contains("EE-2025-0233", json, StringComparison.Ordinal);
        }

        var page = await mari.GetPageAsync($"/et/requests/{id}");
        Assert.Contains("anonüümitud: säilitatakse ilma millegita, mis seoks selle teiega (1 kirje)", page.QuerySelector("main")!.TextContent.Replace('\u00A0', ' '), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("innore-ee/marketing", "Anonymise", "The policy does not say how to anonymise innore-ee/marketing")]
    [InlineData("innore-ee/technical", "Keep", "Choose, for each category, one of the options in the list.")]
    [InlineData("innore-ee/technical", "1", "Choose, for each category, one of the options in the list.")]
    [InlineData("innore-ee/technical", "KeepRestricted", "Choose, for each category, one of the options in the list.")]
    [InlineData("innore-ee/technical", "LegalObligation", "innore-ee/technical is not kept under a legal retention duty, so legal obligation (Art. 17(3)(b)) is no ground to keep it")]
    public async Task A_choice_the_policy_or_the_list_does_not_offer_is_refused_and_nothing_is_erased(string category, string choice, string message)
    {
        using var host = new PortalHost();
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var before = await host.DbAsync(db => db.HeldRecords.CountAsync(r => r.SubjectId == mariId));
        using var mari = await host.SignInAsync(PortalHost.Mari, "et");
        var id = await RequestFlows.FileAsync(mari, "et", RequestKind.Erasure);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        using var response = await RequestFlows.StaffActAsync(dpo, id, "carry-out", f =>
        {
            var select = f.Element.QuerySelector($"select[name='Input.Choices[{category}]']")!;
            select.InnerHtml += $"<option value=\"{choice}\">forged</option>";
            f.Set($"Input.Choices[{category}]", choice);
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.Contains(message, page.QuerySelector("#action-carry-out")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(before, await host.DbAsync(db => db.HeldRecords.CountAsync(r => r.SubjectId == mariId)));
        Assert.Equal(0, await host.DbAsync(db => db.Set<AnonymisedRecord>().CountAsync()));
        Assert.Equal(RequestStatus.Received, await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync()));
        var failed = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "staff.action-failed"));
        Assert.Equal(mariId, failed.SubjectId);
        Assert.EndsWith("CarryOut: " + choice switch { "Anonymise" => "Error.AnonymiseNotAllowed", "LegalObligation" => "Error.GroundNotAllowed", _ => "Error.ChoiceUnknown" }, failed.Detail, StringComparison.Ordinal);
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
