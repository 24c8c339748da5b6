using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

public sealed class HandlingTests
{
    [Fact]
    public async Task Extending_needs_reasons_tells_the_person_and_stops_at_two_further_months()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Access);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        using (var noReasons = await RequestFlows.StaffActAsync(dpo, id, "extend", f => f.Set("Input.ExtendReasons", "  ")))
        {
            var page = await CookieAwareClient.ParsePageAsync(noReasons);
            Assert.Contains("Reasons are required", page.QuerySelector("#action-extend")!.TextContent, StringComparison.Ordinal);
        }

        await RequestFlows.StaffDoAsync(dpo, id, "extend", f => f.Set("Input.ExtendMonths", "2").Set("Input.ExtendReasons", "Vi må hente ut data fra to arkivsystemer."));
        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal((new DateOnly(2026, 12, 23), new DateOnly(2027, 2, 23), 2), (request.FirstDueOn, request.DueOn, request.ExtensionMonths));
        // Filed and extended at one instant of the test clock: the mails are told apart by kind, not by order.
        var mail = Assert.Single(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-extended");
        Assert.Contains("Du får svar senest 23.02.2027", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Begrunnelse: Vi må hente ut data fra to arkivsystemer.", mail.TextBody, StringComparison.Ordinal);

        using (var third = await RequestFlows.StaffActAsync(dpo, id, "extend", f => f.Set("Input.ExtendMonths", "1").Set("Input.ExtendReasons", "Mer tid.")))
        {
            var page = await CookieAwareClient.ParsePageAsync(third);
            Assert.Contains("at most 2 further month(s)", page.QuerySelector("#action-extend")!.TextContent, StringComparison.Ordinal);
        }

        var kariPage = await kari.GetPageAsync($"/nb/requests/{id}");
        Assert.Contains("fra 23.12.2026 til 23.02.2027", kariPage.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, false)]
    [InlineData(31, true)]
    public async Task An_extension_is_refused_after_the_first_month(int daysLater, bool refused)
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Access);
        // Filed on 23 November: the first month ends on 23 December (30 days later); the 24th is too late.
        host.Factory.Clock.Advance(TimeSpan.FromDays(daysLater));
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        using var response = await RequestFlows.StaffActAsync(dpo, id, "extend", f => f.Set("Input.ExtendMonths", "1").Set("Input.ExtendReasons", "Komplisert sak."));

        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == id));
        if (refused)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await CookieAwareClient.ParsePageAsync(response);
            Assert.Contains("only be extended within the first month", page.QuerySelector("#action-extend")!.TextContent, StringComparison.Ordinal);
            Assert.Equal(new DateOnly(2026, 12, 23), request.DueOn);
            Assert.DoesNotContain(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-extended");
            var failed = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "staff.action-failed"));
            Assert.Equal((await host.UserIdAsync(PortalHost.Kari), await host.UserIdAsync(PortalHost.Dpo)), (failed.SubjectId!.Value, failed.ActorId!.Value));
            Assert.Equal($"{request.Reference} Extend: Error.ExtendAfterFirstMonth", failed.Detail);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(new DateOnly(2027, 1, 23), request.DueOn);
        }
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("-2147483648")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("abc")]
    [InlineData("")]
    public async Task Forged_month_counts_never_extend_and_never_answer_500(string months)
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Access);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        // A first extension of one month, so a second one could overflow the total.
        await RequestFlows.StaffDoAsync(dpo, id, "extend", f => f.Set("Input.ExtendMonths", "1").Set("Input.ExtendReasons", "To arkiver."));

        using var response = await RequestFlows.StaffActAsync(dpo, id, "extend", f =>
        {
            f.Element.QuerySelector("select[name='Input.ExtendMonths']")!.InnerHtml += $"<option value=\"{months}\">forged</option>";
            f.Set("Input.ExtendMonths", months).Set("Input.ExtendReasons", "Mer tid.");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.Contains("at most 2 further month(s)", page.QuerySelector("#action-extend")!.TextContent, StringComparison.Ordinal);
        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal((1, new DateOnly(2027, 1, 23)), (request.ExtensionMonths, request.DueOn));
        Assert.Single(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-extended");
        Assert.Equal($"{request.Reference} Extend: Error.ExtendTooLong",
            await host.DbAsync(db => db.AuditEvents.Where(e => e.Action == "staff.action-failed").Select(e => e.Detail).SingleAsync()));
    }

    [Fact]
    public async Task Posting_to_a_request_that_does_not_exist_is_not_found()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Access);
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var token = (await PortalHost.FormAsync(dpo, $"/staff/requests/{id}", "#action-message")).RequestVerificationToken!;

        foreach (var handler in new[] { "Message", "Ask", "Extend", "CarryOut", "Refuse", "Close" })
        {
            using var response = await dpo.PostFormAsync($"/staff/requests/{Guid.NewGuid()}?handler={handler}",
                [new("Input.Message", "x"), new("Input.Question", "x"), new("Input.ExtendMonths", "1"), new("Input.ExtendReasons", "x"), new("Input.RefuseReasons", "x"), new(HtmlForm.AntiforgeryFieldName, token)]);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using (var notAGuid = await dpo.PostFormAsync("/staff/requests/12345?handler=Close", [new(HtmlForm.AntiforgeryFieldName, token)]))
        {
            Assert.Equal(HttpStatusCode.NotFound, notAGuid.StatusCode);
        }

        Assert.Equal(RequestStatus.Received, await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_people_search_is_audited_with_its_query_and_opening_a_person_with_that_person()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        using var support = await host.StaffAsync(PortalHost.Support);

        var results = await support.GetPageAsync("/staff/people?q=nordmann");
        Assert.Contains("Kari Nordmann", results.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        using (var tooLong = await support.GetAsync("/staff/people?q=" + new string('a', 300)))
        {
            Assert.Equal(HttpStatusCode.OK, tooLong.StatusCode);
        }

        using (var person = await support.GetAsync($"/staff/people/{kariId}"))
        {
            Assert.Equal(HttpStatusCode.OK, person.StatusCode);
        }

        var searches = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == "staff.searched-people").OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(2, searches.Count);
        Assert.All(searches, e => Assert.Equal(supportId, e.ActorId));
        Assert.Equal("1 result(s) for \"nordmann\"", searches[0].Detail);
        Assert.StartsWith("query too long (300 characters): aaaa", searches[1].Detail, StringComparison.Ordinal);
        var viewed = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "staff.viewed-person"));
        Assert.Equal((kariId, supportId), (viewed.SubjectId!.Value, viewed.ActorId!.Value));
    }

    [Fact]
    public async Task A_refusal_needs_reasons_and_names_the_authorities_and_the_courts()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Objection, f => f.Set("Input.Details", "Slutt å analysere kjøpene mine."));
        using var dpo = await host.StaffAsync(PortalHost.Dpo);

        using (var empty = await RequestFlows.StaffActAsync(dpo, id, "refuse"))
        {
            Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        }

        await RequestFlows.StaffDoAsync(dpo, id, "refuse", f => f.Set("Input.RefuseReasons", "Opplysningene trengs for å forebygge svindel."));

        var mail = Assert.Single(await host.MailsToAsync(PortalHost.Kari), m => m.Kind == "request-refused");
        Assert.Contains("Begrunnelse: Opplysningene trengs for å forebygge svindel.", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Du har rett til å klage til en tilsynsmyndighet", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Datatilsynet, Postboks 458 Sentrum, 0105 Oslo, postkasse@datatilsynet.no", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Andmekaitse Inspektsioon", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("domstolene (personvernforordningen artikkel 78 og 79)", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal(RequestStatus.Refused, await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync()));

        var page = await kari.GetPageAsync($"/nb/requests/{id}");
        Assert.Contains("postkasse@datatilsynet.no", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_complaint_page_names_each_companys_authority_and_how_to_reach_it()
    {
        using var host = new PortalHost();
        using var mari = await host.SignInAsync(PortalHost.Mari, "et");
        var page = await mari.GetPageAsync("/et/requests/new?kind=Complaint");
        var text = page.QuerySelector("main")!.TextContent;
        Assert.Contains("Andmekaitse Inspektsioon", text, StringComparison.Ordinal);
        Assert.Contains("Tatari 39, 10134 Tallinn", text, StringComparison.Ordinal);
        Assert.Contains("info@aki.ee", text, StringComparison.Ordinal);
        Assert.Contains("Norra andmekaitseasutus (Datatilsynet)", text, StringComparison.Ordinal);
        Assert.Contains("Kui elate Norras", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_queue_is_sorted_by_deadline_filters_and_marks_overdue_and_nearly_due_requests()
    {
        using var host = new PortalHost();
        using (var kari = await host.SignInAsync(PortalHost.Kari, "nb"))
        {
            await RequestFlows.FileAsync(kari, "nb", RequestKind.Erasure);
        }

        host.Factory.Clock.Advance(TimeSpan.FromDays(10));
        using (var mari = await host.SignInAsync(PortalHost.Mari, "et"))
        {
            await RequestFlows.FileAsync(mari, "et", RequestKind.Access);
        }

        host.Factory.Clock.Advance(TimeSpan.FromDays(21)); // 24 December: Kari's is a day late, Mari's due 3 January
        using var support = await host.StaffAsync(PortalHost.Support);

        var queue = await support.GetPageAsync("/staff");
        var rows = queue.QuerySelectorAll("table.queue tbody tr");
        Assert.Equal(2, rows.Length);
        Assert.Contains("Kari Nordmann", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("queue__row--overdue", rows[0].ClassName, StringComparison.Ordinal);
        Assert.Contains("Overdue by 1 d", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Mari Maasikas", rows[1].TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("queue__row", rows[1].ClassName ?? "", StringComparison.Ordinal);

        Assert.Single((await support.GetPageAsync("/staff?due=overdue")).QuerySelectorAll("table.queue tbody tr"));
        Assert.Single((await support.GetPageAsync("/staff?kind=Access")).QuerySelectorAll("table.queue tbody tr"));
        var estonian = (await support.GetPageAsync("/staff?company=innore-ee")).QuerySelectorAll("table.queue tbody tr");
        Assert.Equal(2, estonian.Length); // Kari's erasure covers her drawing at Innore OÜ too
        Assert.Single((await support.GetPageAsync("/staff?company=innore-no")).QuerySelectorAll("table.queue tbody tr"));
        Assert.Empty((await support.GetPageAsync("/staff?status=Closed")).QuerySelectorAll("table.queue tbody tr"));

        host.Factory.Clock.Advance(TimeSpan.FromDays(8)); // 1 January: Mari's due in 2 days
        using var again = await host.StaffAsync(PortalHost.Support);
        var soon = (await again.GetPageAsync("/staff?due=soon")).QuerySelectorAll("table.queue tbody tr");
        Assert.Equal(2, soon.Length);
        Assert.Contains("queue__row--soon", soon[1].ClassName, StringComparison.Ordinal);
        Assert.Contains("Due in 2 d", soon[1].TextContent, StringComparison.Ordinal);
    }
}
