using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>
/// An Art. 21(1) objection has an outcome: the objected purposes are restricted while staff consider
/// them (my-data and the store's tasks say so), then each is upheld (the purpose stops; what was held
/// only for it goes) or refused with compelling grounds, which the reply states with the authority and the courts.
/// </summary>
public sealed class ObjectionOutcomeTests : IDisposable
{
    private const string Support = "innore-no/customer-support";
    private const string Projects = "innore-no/b2b-project-communication";
    private const string Fraud = "innore-no/fraud-prevention";

    private readonly PortalHost host = new();
    private readonly StoreApiCaller store;

    public ObjectionOutcomeTests()
    {
        store = new StoreApiCaller(host);
    }

    public void Dispose()
    {
        store.Dispose();
        host.Dispose();
    }

    [Fact]
    public async Task While_an_objection_is_open_my_data_and_the_stores_tasks_show_the_data_restricted_for_that_purpose()
    {
        var no = await store.TokenAsync(DevClients.No, DevClients.NoSecret);
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");

        await ObjectAsync(kari, "en", Fraud);

        var myData = await kari.GetPageAsync("/en/my-data");
        Assert.Equal(
            ["Restricted for Fraud prevention and security while we consider your objection."],
            myData.QuerySelectorAll("#innore-no-payment .objected-purpose").Select(p => p.TextContent.Trim()));
        Assert.Equal(
            ["Restricted for Fraud prevention and security while we consider your objection."],
            myData.QuerySelectorAll("#innore-no-customer-account .objected-purpose").Select(p => p.TextContent.Trim()));
        // Orders are not used for fraud prevention; Innore OÜ's payment data is not objected to.
        Assert.Empty(myData.QuerySelectorAll("#innore-no-orders .objected-purpose"));

        var records = await store.TaskRecordsAsync(no);
        Assert.NotEmpty(records);
        Assert.All(records, r =>
        {
            Assert.Equal("objection", r.Kind);
            Assert.Equal("restrict-for-purpose", r.Record.GetProperty("action").GetString());
            Assert.Equal("fraud-prevention", r.Record.GetProperty("purpose").GetString());
            Assert.Equal("innore-no", r.Record.GetProperty("controller").GetString());
        });
        Assert.Equal(["customer-account", "payment"], records.Select(r => r.Record.GetProperty("category").GetString()).Distinct().Order());
        Assert.Contains(records, r => r.Record.GetProperty("category").GetString() == "payment");
    }

    [Fact]
    public async Task Upholding_stops_each_purpose_and_erases_what_was_held_only_for_the_stopped_purposes()
    {
        var no = await store.TokenAsync(DevClients.No, DevClients.NoSecret);
        await store.PostAsync(no, "/api/v1/records", new
        {
            records = new object[]
            {
                new { externalId = "NO-INQ-0007", email = PortalHost.Kari, category = "inquiries", summary = "Question about a sliding door", content = new { question = "Can the door be 95 cm wide?" }, retentionFrom = "2026-11-02" },
            },
        });
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await ObjectAsync(kari, "nb", Support, Projects);
        var cursor = await CursorAsync(no);
        using var support = await host.StaffAsync(PortalHost.Support);

        // One purpose now: the other stays restricted, the request open, no reply yet.
        await RequestFlows.StaffDoAsync(support, id, "decide", f => f.Set($"Input.Decision[{Support}]", "Uphold"));
        Assert.Equal(RequestStatus.Received, await StatusAsync(id));
        Assert.True(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.ExternalId == "NO-INQ-0007")));
        var inquiries = (await kari.GetPageAsync("/nb/my-data")).QuerySelectorAll("#innore-no-inquiries .objected-purpose").Select(p => p.TextContent.Trim()).ToList();
        Assert.Equal(
            [
                "Begrenset for Kommunisere med kontaktpersoner hos bedriftskunder om prosjekter mens vi vurderer innsigelsen din.",
                "Brukes ikke lenger til Kundeservice og behandling av reklamasjoner: vi har tatt innsigelsen din til følge.",
            ],
            inquiries.Order());
        Assert.DoesNotContain(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-objectiondecided");
        var stops = await store.TaskRecordsAsync(no);
        Assert.Contains(stops, r => r.Record.GetProperty("action").GetString() == "stop-purpose" && r.Record.GetProperty("externalId").GetString() == "NO-INQ-0007");

        // The last one: inquiries had no other purpose left, so the store's inquiry is erased.
        await RequestFlows.StaffDoAsync(support, id, "decide", f => f.Set($"Input.Decision[{Projects}]", "Uphold"));
        Assert.Equal(RequestStatus.Completed, await StatusAsync(id));
        Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.ExternalId == "NO-INQ-0007")));
        // Orders are kept for the contract and the Bookkeeping Act: untouched.
        Assert.True(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.CategoryId == "orders" && r.ControllerId == "innore-no" && r.RestrictedAt == null)));
        var page = await store.GetAsync(no, $"/api/v1/tasks?since={cursor}&limit=500");
        var erase = page.GetProperty("items").EnumerateArray().SelectMany(t => t.GetProperty("records").EnumerateArray())
            .Single(r => r.GetProperty("externalId").GetString() == "NO-INQ-0007" && r.GetProperty("action").GetString() == "erase");
        Assert.Equal("b2b-project-communication", erase.GetProperty("purpose").GetString());

        var mail = Assert.Single(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-objectiondecided");
        Assert.Contains("Kundeservice og behandling av reklamasjoner: tatt til følge.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Kommunisere med kontaktpersoner hos bedriftskunder om prosjekter: tatt til følge.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Henvendelser: slettet (1 registrering)", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Datatilsynet", mail.TextBody, StringComparison.Ordinal);

        var staffId = await host.UserIdAsync(PortalHost.Support);
        var audit = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.ActorId == staffId && e.Action == DecideObjectionCommand.UpheldAction).Select(e => e.Detail!).ToListAsync());
        Assert.Equal(2, audit.Count);
        Assert.Contains(audit, d => d.EndsWith(Support, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Refusing_without_grounds_is_refused_and_nothing_is_decided()
    {
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var id = await ObjectAsync(kari, "en", Fraud);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        using var response = await RequestFlows.StaffActAsync(dpo, id, "decide", f => f.Set($"Input.Decision[{Fraud}]", "Refuse").Set($"Input.Grounds[{Fraud}]", "   "));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.Contains("To refuse INNORE AS: Fraud prevention and security, write the compelling legitimate grounds", page.QuerySelector("#action-decide")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await host.DbAsync(db => db.Set<ObjectionDecision>().CountAsync()));
        Assert.Equal(RequestStatus.Received, await StatusAsync(id));
        Assert.DoesNotContain(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-objectiondecided");
        // Carrying out or refusing the whole objection is not a way round the per-purpose decision.
        var token = (await PortalHost.FormAsync(dpo, $"/staff/requests/{id}", "#action-message")).RequestVerificationToken!;
        using var refuseAll = await dpo.PostFormAsync($"/staff/requests/{id}?handler=Refuse", [new("Input.RefuseReasons", "No."), new(HtmlForm.AntiforgeryFieldName, token)]);
        Assert.Equal(HttpStatusCode.OK, refuseAll.StatusCode);
        Assert.Equal(RequestStatus.Received, await StatusAsync(id));
    }

    [Fact]
    public async Task Refusing_with_grounds_mails_them_with_the_authority_and_the_courts_and_ends_the_restriction()
    {
        var no = await store.TokenAsync(DevClients.No, DevClients.NoSecret);
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await ObjectAsync(kari, "nb", Fraud);
        var cursor = await CursorAsync(no);

        // Refusing is the privacy officer's call: support is refused, and the attempt is audited.
        using (var support = await host.StaffAsync(PortalHost.Support))
        {
            Assert.Null((await support.GetPageAsync($"/staff/requests/{id}")).QuerySelector($"#action-decide option[value=Refuse]"));
            var token = (await PortalHost.FormAsync(support, $"/staff/requests/{id}", "#action-decide")).RequestVerificationToken!;
            using var forbidden = await support.PostFormAsync($"/staff/requests/{id}?handler=Decide",
                [new($"Input.Decision[{Fraud}]", "Refuse"), new($"Input.Grounds[{Fraud}]", "Chargebacks."), new(HtmlForm.AntiforgeryFieldName, token)]);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        const string grounds = "Three chargebacks on this account in 2025; we must be able to check new payments against them.";
        await RequestFlows.StaffDoAsync(dpo, id, "decide", f => f.Set($"Input.Decision[{Fraud}]", "Refuse").Set($"Input.Grounds[{Fraud}]", grounds));

        Assert.Equal(RequestStatus.Refused, await StatusAsync(id));
        var mail = Assert.Single(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-objectiondecided");
        Assert.Contains($"INNORE AS: Forebygging av svindel og sikkerhet: avslått. Våre tungtveiende berettigede grunner, som vi mener går foran dine interesser, rettigheter og friheter: {grounds}", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Datatilsynet", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("bringe saken inn for domstolene", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("er denne begrensningen nå opphevet", mail.TextBody, StringComparison.Ordinal);

        Assert.Empty((await kari.GetPageAsync("/nb/my-data")).QuerySelectorAll(".objected-purpose"));
        var page = await store.GetAsync(no, $"/api/v1/tasks?since={cursor}&limit=500");
        var lifted = page.GetProperty("items").EnumerateArray().SelectMany(t => t.GetProperty("records").EnumerateArray()).ToList();
        Assert.NotEmpty(lifted);
        Assert.All(lifted, r => Assert.Equal(("lift-purpose-restriction", "fraud-prevention"), (r.GetProperty("action").GetString(), r.GetProperty("purpose").GetString())));
        Assert.True(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.CategoryId == "payment" && r.ControllerId == "innore-no")));

        var dpoId = await host.UserIdAsync(PortalHost.Dpo);
        var refused = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == DecideObjectionCommand.RefusedAction));
        Assert.Equal(dpoId, refused.ActorId);
        Assert.EndsWith($"{Fraud}: {grounds}", refused.Detail, StringComparison.Ordinal);
        Assert.Contains(await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == "staff.forbidden").Select(e => e.Detail!).ToListAsync()),
            d => d.EndsWith("Decide: needs the PrivacyOfficer role", StringComparison.Ordinal));
    }

    private static async Task<Guid> ObjectAsync(CookieAwareClient person, string culture, params string[] purposes) =>
        await RequestFlows.FileAsync(person, culture, RequestKind.Objection, f =>
        {
            foreach (var purpose in purposes)
            {
                f.Check("Input.Purposes", purpose);
            }
        });

    private async Task<string> CursorAsync(string token) =>
        (await store.GetAsync(token, "/api/v1/tasks?limit=500")).GetProperty("nextCursor").GetString()!;

    private Task<RequestStatus> StatusAsync(Guid id) =>
        host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync());
}
