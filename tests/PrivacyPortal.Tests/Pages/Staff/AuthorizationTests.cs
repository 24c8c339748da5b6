using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>Every staff page and action, for each role, anonymous visitors, people and half-signed-in staff.</summary>
public sealed class AuthorizationTests
{
    private static readonly string[] Actions = ["Message", "Ask", "Extend", "Refuse", "CarryOut", "Close"];

    private static readonly Dictionary<string, string> Fields = new()
    {
        ["Message"] = "Input.Message",
        ["Ask"] = "Input.Question",
        ["Extend"] = "Input.ExtendReasons",
        ["Refuse"] = "Input.RefuseReasons",
        ["CarryOut"] = "Input.Reply",
        ["Close"] = "Input.CloseNote",
    };

    [Fact]
    public async Task Anonymous_people_and_staff_without_the_second_factor_never_reach_the_staff_area()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari);
        var id = await RequestFlows.FileAsync(kari, "en", RequestKind.Access);
        using var anonymous = host.Anonymous();
        using var linkOnly = await host.SignInLinkOnlyStaffAsync(PortalHost.Dpo);
        var pages = new[] { "/staff", $"/staff/requests/{id}", "/staff/retention" };

        foreach (var page in pages)
        {
            using var a = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, a.StatusCode);
            Assert.Equal("/en/login?returnUrl=" + Uri.EscapeDataString("/staff/second-factor?returnUrl=" + Uri.EscapeDataString(page)), a.Headers.Location!.OriginalString);

            using var k = await kari.GetAsync(page);
            Assert.Equal(HttpStatusCode.Forbidden, k.StatusCode);

            using var l = await linkOnly.GetAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, l.StatusCode);
            Assert.Equal("/staff/second-factor?returnUrl=" + Uri.EscapeDataString(page), l.Headers.Location!.OriginalString);
        }

        foreach (var action in Actions)
        {
            var url = $"/staff/requests/{id}?handler={action}";
            KeyValuePair<string, string>[] body = [new(Fields[action], "text")];
            using var a = await anonymous.PostFormAsync(url, body);
            Assert.Equal(HttpStatusCode.Redirect, a.StatusCode);
            Assert.StartsWith("/en/login", a.Headers.Location!.OriginalString, StringComparison.Ordinal);
            using var k = await kari.PostFormAsync(url, body);
            Assert.Equal(HttpStatusCode.Forbidden, k.StatusCode);
            using var l = await linkOnly.PostFormAsync(url, body);
            Assert.Equal(HttpStatusCode.Redirect, l.StatusCode);
            Assert.StartsWith("/staff/second-factor", l.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using (var consumerSecondFactor = await kari.GetAsync("/staff/second-factor"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, consumerSecondFactor.StatusCode);
        }

        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal(RequestStatus.Received, request.Status);
        Assert.Equal(1, await host.DbAsync(db => db.Set<PrivacyRequestEvent>().CountAsync(e => e.RequestId == id)));
    }

    [Theory]
    [InlineData(PortalHost.Support, false)]
    [InlineData("admin.only@innore.example", false)]
    [InlineData(PortalHost.Dpo, true)]
    public async Task Support_and_admin_handle_requests_and_only_the_privacy_officer_extends_refuses_and_sees_the_retention_report(string staffEmail, bool isOfficer)
    {
        using var host = new PortalHost();
        if (staffEmail.StartsWith("admin.only", StringComparison.Ordinal))
        {
            using var scope = host.Factory.Services.CreateScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<DataSubject>>();
            var admin = new DataSubject { Id = Guid.NewGuid(), UserName = staffEmail, Email = staffEmail, DisplayName = "Ada Admin", Kind = AccountKind.Staff, CreatedAt = PortalHost.DefaultNow };
            Assert.True((await users.CreateAsync(admin)).Succeeded);
            Assert.True((await users.AddToRoleAsync(admin, StaffRoles.Admin)).Succeeded);
        }

        using var kari = await host.SignInAsync(PortalHost.Kari);
        var handled = await RequestFlows.FileAsync(kari, "en", RequestKind.Access);
        var toRefuse = await RequestFlows.FileAsync(kari, "en", RequestKind.Objection, f => f.Set("Input.Details", "Stop profiling me."));
        using var staff = await host.StaffAsync(staffEmail);

        using (var queue = await staff.GetAsync("/staff"))
        {
            Assert.Equal(HttpStatusCode.OK, queue.StatusCode);
        }

        using (var retention = await staff.GetAsync("/staff/retention"))
        {
            Assert.Equal(isOfficer ? HttpStatusCode.OK : HttpStatusCode.Forbidden, retention.StatusCode);
        }

        var token = (await PortalHost.FormAsync(staff, $"/staff/requests/{handled}", "#action-message")).RequestVerificationToken!;
        async Task<HttpStatusCode> PostAsync(Guid id, string action)
        {
            using var response = await staff.PostFormAsync($"/staff/requests/{id}?handler={action}",
                [new(Fields[action], $"{action} by {staffEmail}"), new("Input.ExtendMonths", "1"), new(HtmlForm.AntiforgeryFieldName, token)]);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(handled, "Message"));
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(handled, "Ask"));
        Assert.Equal(isOfficer ? HttpStatusCode.Redirect : HttpStatusCode.Forbidden, await PostAsync(handled, "Extend"));
        Assert.Equal(isOfficer ? HttpStatusCode.Redirect : HttpStatusCode.Forbidden, await PostAsync(toRefuse, "Refuse"));
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(handled, "CarryOut"));
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(handled, "Close"));

        var staffId = await host.UserIdAsync(staffEmail);
        var audit = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.ActorId == staffId).Select(e => e.Action).ToListAsync());
        Assert.Contains("staff.viewed-queue", audit);
        Assert.Contains("staff.viewed-person", audit);
        Assert.Contains("staff.messaged", audit);
        Assert.Contains("staff.asked-for-information", audit);
        Assert.Contains("staff.carried-out", audit);
        Assert.Contains("staff.closed", audit);
        Assert.Equal(isOfficer, audit.Contains("staff.extended"));
        Assert.Equal(isOfficer, audit.Contains("staff.refused"));
        Assert.Equal(isOfficer ? RequestStatus.Refused : RequestStatus.Received,
            await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == toRefuse).Select(r => r.Status).SingleAsync()));
        Assert.Equal(isOfficer ? 1 : 0, await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == handled).Select(r => r.ExtensionMonths).SingleAsync()));
    }
}
