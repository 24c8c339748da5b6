using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>Art. 19 for recipients outside the group's stores: manual tasks from the policy, done by staff, shown to the person.</summary>
public sealed class ManualRecipientTaskTests
{
    /// <summary>The recipients of Kari's categories at both companies that the Innore policy says are told by hand, in the policy's order.</summary>
    private static readonly string[] KarisManualRecipients =
        ["logistics", "payment-providers", "accounting-advisors", "it-providers", "analytics-providers", "professional-advisors", "public-authorities"];

    [Fact]
    public async Task Carrying_out_an_erasure_makes_a_manual_task_per_outside_recipient_and_store_tasks_for_the_group()
    {
        using var host = new PortalHost();
        var (id, _) = await CarriedOutErasureAsync(host);

        var manual = await host.DbAsync(db => db.Set<ManualRecipientTask>().AsNoTracking().Where(t => t.RequestId == id).OrderBy(t => t.Id).ToListAsync());
        Assert.Equal(KarisManualRecipients, manual.Select(t => t.RecipientId));
        Assert.All(manual, t => Assert.Equal((RecipientTaskKind.Erasure, (DateTimeOffset?)null), (t.Kind, t.DoneAt)));
        var logistics = manual.Single(t => t.RecipientId == "logistics");
        Assert.Contains("carrier agreement", logistics.Contact, StringComparison.Ordinal);
        Assert.Contains("innore-no/orders", logistics.CategoryKeys);
        Assert.Contains("innore-no/contact", logistics.CategoryKeys);
        Assert.Equal(["innore-no/marketing"], manual.Single(t => t.RecipientId == "analytics-providers").CategoryKeys);
        // Innore OÜ, a recipient of INNORE AS data, is told through its store as before; never by hand.
        var stores = await host.DbAsync(db => db.Set<RecipientTask>().Where(t => t.RequestId == id).Select(t => t.StoreId).OrderBy(s => s).ToListAsync());
        Assert.Equal(["innore-eu", "innore-no"], stores);
    }

    [Fact]
    public async Task Staff_see_open_tasks_in_the_queue_and_cannot_close_without_a_reason_while_any_is_open()
    {
        using var host = new PortalHost();
        var (id, dpo) = await CarriedOutErasureAsync(host);
        using (dpo)
        {
            var queue = await dpo.GetPageAsync("/staff");
            var row = queue.QuerySelectorAll("table.queue tbody tr").Single(r => r.QuerySelector($"a[href='/staff/requests/{id}']") is not null);
            Assert.Contains("7 recipient(s) to tell", row.TextContent, StringComparison.Ordinal);
            var page = await dpo.GetPageAsync($"/staff/requests/{id}");
            Assert.Contains("7 recipient(s) outside the stores still to be told.", page.QuerySelector("#recipient-tasks")!.TextContent, StringComparison.Ordinal);

            using (var refused = await RequestFlows.StaffActAsync(dpo, id, "close"))
            {
                Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
                var again = await CookieAwareClient.ParsePageAsync(refused);
                Assert.Contains("7 recipient(s) are still to be told (Art. 19)", again.QuerySelector("#action-close")!.TextContent, StringComparison.Ordinal);
            }

            Assert.Equal(RequestStatus.Completed, await StatusAsync(host, id));
            await RequestFlows.StaffDoAsync(dpo, id, "close", f => f.Set("Input.CloseNote", "The carrier contract ended in 2024; nothing is left with them."));
            Assert.Equal(RequestStatus.Closed, await StatusAsync(host, id));
            var audit = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "staff.closed-with-open-tasks"));
            Assert.Contains("7 manual recipient task(s) open: The carrier contract ended in 2024", audit.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Marking_a_task_done_needs_a_note_is_audited_and_the_person_sees_who_was_told()
    {
        using var host = new PortalHost();
        var (id, dpo) = await CarriedOutErasureAsync(host);
        using (var kari = await host.SignInAsync(PortalHost.Kari, "nb"))
        {
            var before = await kari.GetPageAsync($"/nb/requests/{id}");
            var told = before.QuerySelector("#recipients-told")!.TextContent;
            Assert.Contains("www.innore.no: varslet 23.11.2026", told, StringComparison.Ordinal);
            Assert.Contains("Logistikk- og transportleverandører: varsles", told, StringComparison.Ordinal);
        }

        var taskId = await host.DbAsync(db => db.Set<ManualRecipientTask>().Where(t => t.RequestId == id && t.RecipientId == "logistics").Select(t => t.Id).SingleAsync());
        using (dpo)
        {
            using var noNote = await RequestFlows.StaffActAsync(dpo, id, $"task-{taskId}", f => f.Set("Input.TaskNote", " "));
            var page = await CookieAwareClient.ParsePageAsync(noNote);
            Assert.Contains("Write how and when the recipient was told.", page.QuerySelector($"#action-task-{taskId}")!.TextContent, StringComparison.Ordinal);
        }

        // Two days later (a new staff session): told.
        host.Factory.Clock.Advance(TimeSpan.FromDays(2));
        using (var later = await host.StaffAsync(PortalHost.Dpo))
        {
            await RequestFlows.StaffDoAsync(later, id, $"task-{taskId}", f => f.Set("Input.TaskNote", "Emailed privacy@carrier.example, ticket 4411."));
            var task = await host.DbAsync(db => db.Set<ManualRecipientTask>().AsNoTracking().SingleAsync(t => t.Id == taskId));
            Assert.Equal((await host.UserIdAsync(PortalHost.Dpo), "Emailed privacy@carrier.example, ticket 4411."), (task.DoneBy!.Value, task.DoneNote));
            var audit = await host.DbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "staff.recipient-told"));
            Assert.Contains("logistics (Erasure): Emailed privacy@carrier.example", audit.Detail, StringComparison.Ordinal);

            var staffPage = await later.GetPageAsync($"/staff/requests/{id}");
            Assert.Null(staffPage.QuerySelector($"#action-task-{taskId}"));
            Assert.Contains("6 recipient(s) outside the stores still to be told.", staffPage.QuerySelector("#recipient-tasks")!.TextContent, StringComparison.Ordinal);
        }

        using var kariLater = await host.SignInAsync(PortalHost.Kari, "nb");
        var after = await kariLater.GetPageAsync($"/nb/requests/{id}");
        Assert.Contains("Logistikk- og transportleverandører: varslet 25.11.2026", after.QuerySelector("#recipients-told")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_of_another_request_cannot_be_marked_done_through_this_one()
    {
        using var host = new PortalHost();
        var (id, dpo) = await CarriedOutErasureAsync(host);
        using (dpo)
        {
            var taskId = await host.DbAsync(db => db.Set<ManualRecipientTask>().Where(t => t.RequestId == id).Select(t => t.Id).FirstAsync());
            var form = await PortalHost.FormAsync(dpo, $"/staff/requests/{id}", $"#action-task-{taskId}");
            form.Element.Action = $"/staff/requests/{Guid.NewGuid()}?handler=CompleteTask&taskId={taskId}";
            form.Set("Input.TaskNote", "Told.");
            using var response = await form.SubmitAsync();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Null(await host.DbAsync(db => db.Set<ManualRecipientTask>().Where(t => t.Id == taskId).Select(t => t.DoneAt).SingleAsync()));
        }
    }

    private static Task<RequestStatus> StatusAsync(PortalHost host, Guid id) =>
        host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Status).SingleAsync());

    /// <summary>Kari asks for erasure at both companies and the privacy officer carries it out.</summary>
    private static async Task<(Guid Id, CookieAwareClient Dpo)> CarriedOutErasureAsync(PortalHost host)
    {
        Guid id;
        using (var kari = await host.SignInAsync(PortalHost.Kari, "nb"))
        {
            id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Erasure);
        }

        var dpo = await host.StaffAsync(PortalHost.Dpo);
        await RequestFlows.StaffDoAsync(dpo, id, "carry-out");
        return (id, dpo);
    }
}
