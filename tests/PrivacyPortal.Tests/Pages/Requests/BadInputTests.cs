using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

public sealed class BadInputTests
{
    [Fact]
    public async Task Submitting_the_same_form_twice_files_one_request_and_sends_one_email()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var form = await PortalHost.FormAsync(kari, "/nb/requests/new?kind=Access");

        using var first = await form.SubmitAsync();
        using var second = await form.SubmitAsync();
        var parallel = await Task.WhenAll(form.SubmitAsync(), form.SubmitAsync());

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.All(parallel.Append(second), r => Assert.Equal(first.Headers.Location, r.Headers.Location));
        Assert.Equal(1, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
        Assert.Single(await host.MailsToAsync(PortalHost.Kari));
        foreach (var r in parallel)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task Empty_and_huge_texts_get_clear_messages_and_file_nothing()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");

        var empty = await PortalHost.FormAsync(kari, "/en/requests/new?kind=Complaint");
        empty.Set("Input.Details", "   ");
        using var emptyResponse = await empty.SubmitAsync();
        var emptyPage = await CookieAwareClient.ParsePageAsync(emptyResponse);
        Assert.Contains("Tell us what your complaint is about.", emptyPage.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);

        var huge = await PortalHost.FormAsync(kari, "/en/requests/new?kind=Erasure");
        huge.Set("Input.Details", new string('x', 250_000));
        using var hugeResponse = await huge.SubmitAsync();
        var hugePage = await CookieAwareClient.ParsePageAsync(hugeResponse);
        Assert.Contains("The text is too long: at most 4000 characters, you wrote 250000.", hugePage.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);

        var enormous = await PortalHost.FormAsync(kari, "/en/requests/new?kind=Erasure");
        enormous.Set("Input.Details", new string('x', 6_000_000));
        using var enormousResponse = await enormous.SubmitAsync();
        // Beyond the form limits the body cannot be read at all: a clear 400 page, not a 500.
        Assert.Equal(HttpStatusCode.BadRequest, enormousResponse.StatusCode);
        Assert.Contains("The request could not be read", await enormousResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var message = await PortalHost.FormAsync(kari, "/en/requests/new?kind=Access");
        using (var filed = await message.SubmitAsync())
        {
            var id = filed.Headers.Location!.OriginalString;
            var reply = await PortalHost.FormAsync(kari, id, "#message");
            reply.Set("Message", "");
            using var replied = await reply.SubmitAsync();
            var page = await CookieAwareClient.ParsePageAsync(replied);
            Assert.Equal("Write a message first.", page.QuerySelector("#message-error")!.TextContent.Trim());
        }

        Assert.Equal(1, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
    }

    [Fact]
    public async Task Rectifying_a_field_that_does_not_exist_or_is_someone_elses_is_refused()
    {
        using var host = new PortalHost();
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var marisContact = await host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == mariId && r.CategoryId == "contact").Select(r => r.Id).SingleAsync());
        var karisContact = await host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kariId && r.CategoryId == "contact").Select(r => r.Id).SingleAsync());
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");

        foreach (var (field, value) in new[] { ($"{karisContact}:shoeSize", "42"), ($"{marisContact}:deliveryAddress", "Storgata 1"), ("nonsense", "x"), ($"{karisContact}:deliveryAddress", "Storgata 12, 0155 Oslo") })
        {
            var form = await PortalHost.FormAsync(kari, "/nb/requests/new?kind=Rectification");
            var select = form.Element.QuerySelector("select[name='Input.Field']")!;
            select.InnerHtml += $"<option value=\"{field}\">forged</option>";
            form.Set("Input.Field", field).Set("Input.Value", value);
            using var response = await form.SubmitAsync();
            var page = await CookieAwareClient.ParsePageAsync(response);
            var errors = page.QuerySelector(".error-summary")!.TextContent;
            Assert.True(
                errors.Contains("Velg ett av feltene med opplysningene dine fra listen.", StringComparison.Ordinal)
                || errors.Contains("Det er den verdien vi allerede har.", StringComparison.Ordinal),
                errors);
        }

        Assert.Equal(0, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Preview")]
    public async Task An_empty_company_value_gets_a_clear_message_not_a_500(string handler)
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var form = await PortalHost.FormAsync(kari, "/en/requests/new?kind=Erasure");
        var token = form.RequestVerificationToken!;
        var key = form.Fields.Single(f => f.Key == "Input.IdempotencyKey").Value;

        using var response = await kari.PostFormAsync("/en/requests/new" + (handler.Length == 0 ? "" : "?handler=" + handler),
            [new("kind", "Erasure"), new("Input.IdempotencyKey", key), new("Input.Controllers", ""), new(HtmlForm.AntiforgeryFieldName, token)]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        if (handler.Length == 0)
        {
            Assert.Contains("Choose at least one company.", page.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        }
        else
        {
            // The plan is updated for no company: nothing to show, and nothing filed.
            Assert.NotNull(page.QuerySelector(".plan-card"));
        }

        // An empty entry beside a real company is only dropped.
        using (var mixed = await kari.PostFormAsync("/en/requests/new",
            [new("kind", "Erasure"), new("Input.IdempotencyKey", key), new("Input.Controllers", ""), new("Input.Controllers", "innore-no"), new(HtmlForm.AntiforgeryFieldName, token)]))
        {
            Assert.Equal(HttpStatusCode.Redirect, mixed.StatusCode);
        }

        var filed = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync());
        Assert.Equal(["innore-no"], filed.ControllerIds);
    }

    [Theory]
    [InlineData("Rectification", "kind", "99")]
    [InlineData("Rectification", "kind", "-1")]
    [InlineData("Rectification", "Input.IdempotencyKey", "not-a-guid")]
    [InlineData("Erasure", "Input.Controllers", "innore-xx")]
    [InlineData("Erasure", "Input.Controllers", "../innore-no")]
    [InlineData("Rectification", "Input.Field", "99999999999999999999999:deliveryAddress")]
    [InlineData("Rectification", "Input.Field", "-5:deliveryAddress")]
    public async Task Forged_kinds_keys_companies_and_record_ids_get_a_page_never_a_500(string kind, string field, string value)
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var form = await PortalHost.FormAsync(kari, $"/en/requests/new?kind={kind}");
        var fields = form.Fields.Where(f => f.Key != field && f.Key != "Input.Value").Append(new(field, value)).ToList();
        fields.Add(new("Input.Value", "Kirkegata 1"));

        using var response = await kari.PostFormAsync("/en/requests/new", fields);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var page = await CookieAwareClient.ParsePageAsync(response);
            Assert.NotNull(page.QuerySelector(".error-summary"));
        }
        else
        {
            // An unknown kind sends the person back to choosing one.
            Assert.Equal("kind", field);
            Assert.StartsWith("/en/requests/new", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        Assert.Equal(0, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
        using var unknownKind = await kari.GetAsync("/en/requests/new?kind=" + Uri.EscapeDataString(value));
        Assert.Equal(HttpStatusCode.OK, unknownKind.StatusCode);
    }

    [Fact]
    public async Task Another_persons_request_is_not_found_for_reading_or_replying()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Access);

        using var mari = await host.SignInAsync(PortalHost.Mari, "et");
        using (var read = await mari.GetAsync($"/et/requests/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
            Assert.Contains("Lehte ei leitud", await read.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        using (var unknown = await mari.GetAsync($"/et/requests/{Guid.NewGuid()}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // Mari posts to Kari's request with her own antiforgery token.
        var token = (await PortalHost.FormAsync(mari, "/et/requests/new?kind=Access")).RequestVerificationToken!;
        using var posted = await mari.PostFormAsync($"/et/requests/{id}?handler=Message", [new("Message", "hei"), new("__RequestVerificationToken", token)]);
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        Assert.Equal(1, await host.DbAsync(db => db.Set<PrivacyRequestEvent>().CountAsync(e => e.RequestId == id)));
    }

    [Fact]
    public async Task With_the_mail_server_down_the_request_is_kept_and_its_email_goes_out_when_it_is_back()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        host.Smtp.Stop();

        var id = await RequestFlows.FileAsync(kari, "nb", RequestKind.Erasure);

        Assert.True(await host.DbAsync(db => db.Set<PrivacyRequest>().AnyAsync(r => r.Id == id)));
        using (var page = await kari.GetAsync($"/nb/requests/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline && !await host.DbAsync(db => db.Outbox.AnyAsync(m => m.To == PortalHost.Kari && m.Kind == "request-filed" && m.Attempts > 0)))
        {
            await Task.Delay(100);
        }

        var failed = (await host.MailsToAsync(PortalHost.Kari)).Single();
        Assert.Equal(OutboxStatus.Pending, failed.Status);
        Assert.NotNull(failed.LastError);

        host.Smtp.Start();
        host.Factory.Clock.Advance(TimeSpan.FromMinutes(10));
        var mail = await host.NextMailAsync(PortalHost.Kari);
        var reference = await host.DbAsync(db => db.Set<PrivacyRequest>().Where(r => r.Id == id).Select(r => r.Reference).SingleAsync());
        Assert.Contains(reference, mail.Subject, StringComparison.Ordinal);
        Assert.Contains("oppbevares til 31.12.2026–31.12.2030 etter bokføringsloven § 13", mail.TextBody, StringComparison.Ordinal);
    }
}
