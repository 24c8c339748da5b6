using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>Every kind of request from filing to closing, through the pages, with the emails each change sends.</summary>
public sealed class LifecycleTests
{
    public static TheoryData<RequestKind> Kinds => new(Enum.GetValues<RequestKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_request_goes_from_filing_through_questions_to_carried_out_and_closed_with_an_email_at_each_step(RequestKind kind)
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var contactId = await host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kariId && r.CategoryId == "contact").Select(r => r.Id).SingleAsync());
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");

        var id = await RequestFlows.FileAsync(kari, "nb", kind, form =>
        {
            if (kind == RequestKind.Rectification)
            {
                form.Set("Input.Field", $"{contactId}:deliveryAddress").Set("Input.Value", "Kirkegata 1, 0153 Oslo");
            }

            if (kind is RequestKind.Complaint or RequestKind.Objection)
            {
                form.Set("Input.Details", "Jeg får fortsatt reklame selv om jeg har bedt om å slippe.");
            }
        });

        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal(RequestStatus.Received, request.Status);
        Assert.Equal(new DateOnly(2026, 12, 23), request.DueOn);
        Assert.Matches("^R-[0-9A-Z]{4}-[0-9A-Z]{4}$", request.Reference);
        var filed = Assert.Single(await host.MailsToAsync(PortalHost.Kari));
        Assert.Equal("request-filed", filed.Kind);
        Assert.Contains(request.Reference, filed.Subject, StringComparison.Ordinal);
        Assert.Contains("Du får svar senest 23.12.2026", filed.TextBody, StringComparison.Ordinal);
        Assert.Contains($"/nb/requests/{id}", filed.TextBody, StringComparison.Ordinal);

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        await RequestFlows.StaffDoAsync(dpo, id, "ask", f => f.Set("Input.Question", "Gjelder dette begge selskapene?"));
        Assert.Equal(RequestStatus.AwaitingPerson, await StatusAsync(host, id));

        host.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var reply = await PortalHost.FormAsync(kari, $"/nb/requests/{id}", "#message");
        reply.Set("Message", "Ja, begge.");
        using (var sent = await reply.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        }

        Assert.Equal(RequestStatus.InProgress, await StatusAsync(host, id));

        // Mails are listed by the time they were queued; at one and the same instant their order is
        // up to the database (PostgreSQL returns updated rows in a different order than SQLite).
        host.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await RequestFlows.StaffDoAsync(dpo, id, "carry-out", f => f.Set("Input.Reply", "Ferdig behandlet."));
        Assert.Equal(RequestStatus.Completed, await StatusAsync(host, id));
        // Art. 19: every recipient outside the stores is told (by hand) before the request is closed.
        var manualTasks = await host.DbAsync(db => db.Set<ManualRecipientTask>().Where(t => t.RequestId == id && t.DoneAt == null).Select(t => t.Id).ToListAsync());
        foreach (var taskId in manualTasks)
        {
            await RequestFlows.StaffDoAsync(dpo, id, $"task-{taskId}", f => f.Set("Input.TaskNote", "Sendt e-post til mottakeren."));
        }

        host.Factory.Clock.Advance(TimeSpan.FromMinutes(1));
        await RequestFlows.StaffDoAsync(dpo, id, "close");
        Assert.Equal(RequestStatus.Closed, await StatusAsync(host, id));

        var mails = await host.MailsToAsync(PortalHost.Kari);
        Assert.Equal(["request-filed", "request-askedforinformation", "request-replyreceived", "request-completed", "request-closed"], mails.Select(m => m.Kind));
        Assert.Contains("Gjelder dette begge selskapene?", mails[1].TextBody, StringComparison.Ordinal);
        Assert.Contains("Vi har mottatt svaret ditt om forespørselen din", mails[2].TextBody, StringComparison.Ordinal);
        Assert.Contains("du hører fra oss senest 23.12.2026", mails[2].TextBody, StringComparison.Ordinal);
        Assert.Contains("Ferdig behandlet.", mails[3].TextBody, StringComparison.Ordinal);
        Assert.All(mails, m => Assert.Contains(request.Reference, m.Subject, StringComparison.Ordinal));
        foreach (var queued in mails)
        {
            // Delivered over SMTP, in Norwegian, with a link back to the request.
            var delivered = await host.NextMailAsync(PortalHost.Kari, m => m.Subject == queued.Subject);
            Assert.Contains($"/nb/requests/{id}", delivered.TextBody, StringComparison.Ordinal);
        }

        var page = await kari.GetPageAsync($"/nb/requests/{id}");
        Assert.Contains("Avsluttet", page.QuerySelector(".tag")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(5, page.QuerySelectorAll(".timeline__item").Length);
        Assert.Null(page.QuerySelector("#message"));

        var tasks = await host.DbAsync(db => db.Set<RecipientTask>().AsNoTracking().Where(t => t.RequestId == id).ToListAsync());
        switch (kind)
        {
            case RequestKind.Rectification:
                var content = await host.DbAsync(db => db.HeldRecords.Where(r => r.Id == contactId).Select(r => r.Content).SingleAsync());
                Assert.Contains("\"deliveryAddress\":\"Kirkegata 1, 0153 Oslo\"", content, StringComparison.Ordinal);
                // INNORE AS's own store, and Innore OÜ's: the policy names the group as a recipient of contact data (Art. 19).
                Assert.Equal(["innore-eu", "innore-no"], tasks.Select(t => t.StoreId).Order(StringComparer.Ordinal));
                Assert.All(tasks, t => Assert.Equal(RecipientTaskKind.Rectification, t.Kind));
                Assert.All(tasks, t => Assert.Contains("\"controller\":\"innore-no\",\"category\":\"contact\"", t.Payload, StringComparison.Ordinal));
                Assert.All(tasks, t => Assert.Contains("Kirkegata 1, 0153 Oslo", t.Payload, StringComparison.Ordinal));
                break;
            case RequestKind.Restriction:
                Assert.False(await host.DbAsync(db => db.HeldRecords.AnyAsync(r => r.SubjectId == kariId && r.RestrictedAt == null)));
                Assert.Equal(["innore-eu", "innore-no"], tasks.Select(t => t.StoreId).Order(StringComparer.Ordinal));
                Assert.All(tasks, t => Assert.Equal(RecipientTaskKind.Restriction, t.Kind));
                break;
            case RequestKind.Erasure:
                Assert.Equal(["innore-eu", "innore-no"], tasks.Select(t => t.StoreId).Order(StringComparer.Ordinal));
                break;
            default:
                Assert.Empty(tasks);
                break;
        }
    }

    private static Task<RequestStatus> StatusAsync(PortalHost host, Guid id) =>
        host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync());
}
