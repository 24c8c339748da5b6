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
        var pages = new[] { "/staff", $"/staff/requests/{id}", "/staff/retention", "/staff/records-of-processing", "/staff/records-of-processing/csv", "/staff/reports" };

        foreach (var page in pages)
        {
            await AssertClosedAsync(anonymous, kari, linkOnly, page);
        }

        foreach (var action in Actions)
        {
            await AssertPostClosedAsync(anonymous, kari, linkOnly, $"/staff/requests/{id}?handler={action}", [new(Fields[action], "text")]);
        }

        using (var consumerSecondFactor = await kari.GetAsync("/staff/second-factor"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, consumerSecondFactor.StatusCode);
        }

        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal(RequestStatus.Received, request.Status);
        Assert.Equal(1, await host.DbAsync(db => db.Set<PrivacyRequestEvent>().CountAsync(e => e.RequestId == id)));
    }

    [Fact]
    public async Task The_people_pages_and_the_impersonation_setting_are_closed_to_anonymous_people_and_half_signed_in_staff()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var kari = await host.SignInAsync(PortalHost.Kari);
        using var anonymous = host.Anonymous();
        using var linkOnly = await host.SignInLinkOnlyStaffAsync(PortalHost.Dpo);
        var pages = new[] { "/staff/people", "/staff/people?q=kari", $"/staff/people/{kariId}", "/staff/settings/impersonation" };
        var posts = new (string Url, KeyValuePair<string, string>[] Body)[]
        {
            ($"/staff/people/{kariId}?handler=ViewAs", [new("Input.Reason", "Customer asked on the phone"), new("Input.Ticket", "T-1")]),
            ("/staff/settings/impersonation", [new("enabled", "false")]),
            ("/staff/settings/impersonation", [new("enabled", "true")]),
        };

        foreach (var page in pages)
        {
            await AssertClosedAsync(anonymous, kari, linkOnly, page);
        }

        foreach (var (url, body) in posts)
        {
            await AssertPostClosedAsync(anonymous, kari, linkOnly, url, body);
        }

        // Nothing was viewed, started or switched.
        string[] viewsAndChanges = ["staff.viewed-person", "staff.searched-people", PrivacyPortal.Features.Impersonation.ImpersonationSwitch.ChangedAction];
        Assert.False(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => viewsAndChanges.Contains(e.Action))));
        Assert.False(await host.DbAsync(db => db.Set<PrivacyPortal.Features.Impersonation.ImpersonationSession>().AnyAsync()));
    }

    [Fact]
    public async Task Support_finds_people_but_only_an_admin_changes_the_impersonation_setting()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        var before = await Switch(host);

        using (var people = await support.GetAsync("/staff/people?q=kari"))
        {
            Assert.Equal(HttpStatusCode.OK, people.StatusCode);
        }

        using (var person = await support.GetAsync($"/staff/people/{kariId}"))
        {
            Assert.Equal(HttpStatusCode.OK, person.StatusCode);
        }

        using (var settings = await support.GetAsync("/staff/settings/impersonation"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, settings.StatusCode);
        }

        var token = (await support.GetPageAsync($"/staff/people/{kariId}")).QuerySelector($"input[name='{HtmlForm.AntiforgeryFieldName}']")!.GetAttribute("value")!;
        foreach (var value in new[] { "true", "false" })
        {
            using var post = await support.PostFormAsync("/staff/settings/impersonation", [new("enabled", value), new(HtmlForm.AntiforgeryFieldName, token)]);
            Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        }

        Assert.Equal(before, await Switch(host));
        Assert.False(await host.DbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == PrivacyPortal.Features.Impersonation.ImpersonationSwitch.ChangedAction)));

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var form = await PortalHost.FormAsync(dpo, "/staff/settings/impersonation", "#impersonation-setting-form");
        using (var changed = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        }

        Assert.NotEqual(before, await Switch(host));
    }

    /// <summary>Anonymous people are sent to sign in, customers refused, half-signed-in staff sent to the second factor.</summary>
    private static async Task AssertClosedAsync(CookieAwareClient anonymous, CookieAwareClient customer, CookieAwareClient linkOnly, string page)
    {
        using var a = await anonymous.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, a.StatusCode);
        Assert.Equal("/en/login?returnUrl=" + Uri.EscapeDataString("/staff/second-factor?returnUrl=" + Uri.EscapeDataString(page)), a.Headers.Location!.OriginalString);

        using var k = await customer.GetAsync(page);
        Assert.Equal(HttpStatusCode.Forbidden, k.StatusCode);

        using var l = await linkOnly.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, l.StatusCode);
        Assert.Equal("/staff/second-factor?returnUrl=" + Uri.EscapeDataString(page), l.Headers.Location!.OriginalString);
    }

    private static async Task AssertPostClosedAsync(CookieAwareClient anonymous, CookieAwareClient customer, CookieAwareClient linkOnly, string url, KeyValuePair<string, string>[] body)
    {
        using var a = await anonymous.PostFormAsync(url, body);
        Assert.Equal(HttpStatusCode.Redirect, a.StatusCode);
        Assert.StartsWith("/en/login", a.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var k = await customer.PostFormAsync(url, body);
        Assert.Equal(HttpStatusCode.Forbidden, k.StatusCode);
        using var l = await linkOnly.PostFormAsync(url, body);
        Assert.Equal(HttpStatusCode.Redirect, l.StatusCode);
        Assert.StartsWith("/staff/second-factor", l.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private static async Task<bool> Switch(PortalHost host)
    {
        using var scope = host.Factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<PrivacyPortal.Features.Impersonation.ImpersonationSwitch>().IsEnabledAsync(CancellationToken.None);
    }

    [Theory]
    [InlineData(PortalHost.Support, false)]
    [InlineData("admin.only@innore.example", false)]
    [InlineData(PortalHost.Dpo, true)]
    public async Task Support_and_admin_handle_requests_and_only_the_privacy_officer_extends_refuses_and_sees_the_retention_report_records_of_processing_and_reports(string staffEmail, bool isOfficer)
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

        foreach (var officerPage in new[] { "/staff/retention", "/staff/records-of-processing", "/staff/records-of-processing/print", "/staff/records-of-processing/csv", "/staff/reports" })
        {
            using var response = await staff.GetAsync(officerPage);
            Assert.True((isOfficer ? HttpStatusCode.OK : HttpStatusCode.Forbidden) == response.StatusCode, $"{officerPage}: {response.StatusCode}");
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
        Assert.Equal(isOfficer, audit.Contains("staff.viewed-records-of-processing"));
        Assert.Equal(isOfficer, audit.Contains("staff.downloaded-records-of-processing"));
        Assert.Equal(isOfficer, audit.Contains("staff.viewed-reports"));
        // A refused attempt is in the person's trail too.
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var forbidden = await host.DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.ActorId == staffId && e.Action == "staff.forbidden").OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(isOfficer ? 0 : 2, forbidden.Count);
        Assert.All(forbidden, e => Assert.Equal(kariId, e.SubjectId));
        if (!isOfficer)
        {
            Assert.EndsWith("Extend: needs the PrivacyOfficer role", forbidden[0].Detail, StringComparison.Ordinal);
            Assert.EndsWith("Refuse: needs the PrivacyOfficer role", forbidden[1].Detail, StringComparison.Ordinal);
        }
        Assert.Equal(isOfficer ? RequestStatus.Refused : RequestStatus.Received,
            await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == toRefuse).Select(r => r.Status).SingleAsync()));
        Assert.Equal(isOfficer ? 1 : 0, await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == handled).Select(r => r.ExtensionMonths).SingleAsync()));
    }
}
