using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>"This is wrong" beside a value on my-data opens the correction form with that value chosen; one request can correct several.</summary>
public sealed class CorrectionLinkTests
{
    [Fact]
    public async Task This_is_wrong_opens_the_correction_form_with_the_value_chosen_and_a_label_a_person_reads()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var myData = await kari.GetPageAsync("/nb/my-data");
        var link = myData.QuerySelectorAll("#innore-no-contact a.fields__correct")
            .Single(a => a.TextContent.Contains("Leveringsadresse", StringComparison.Ordinal));
        Assert.StartsWith("Dette er feil", link.TextContent, StringComparison.Ordinal);
        Assert.Matches(@"^/nb/requests/new\?kind=Rectification&field=\d+:deliveryAddress$", link.GetAttribute("href"));

        var form = await kari.GetPageAsync(link.GetAttribute("href")!);
        var selects = form.QuerySelectorAll("select[name='Input.Field']").Cast<IHtmlSelectElement>().ToList();
        // The value chosen, and an empty row for another one.
        Assert.Equal(2, selects.Count);
        var chosen = selects[0].SelectedOptions.Single();
        Assert.Equal(link.GetAttribute("href")!.Split("field=")[1], chosen.Value);
        Assert.StartsWith("Leveringsadresse: ", chosen.TextContent, StringComparison.Ordinal);
        Assert.True(string.IsNullOrEmpty(selects[1].Value));
    }

    [Fact]
    public async Task Unknown_or_foreign_fields_in_the_link_are_ignored_and_never_break_the_form()
    {
        using var host = new PortalHost();
        var mariId = await host.UserIdAsync(PortalHost.Mari);
        var marisContact = await host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == mariId && r.CategoryId == "contact").Select(r => r.Id).SingleAsync());
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        foreach (var query in new[]
                 {
                     "field=999999:deliveryAddress", "field=abc", "field=", "field=1:", $"field={marisContact}:deliveryAddress",
                     "field=99999999999999999999999:x", "field=" + new string('9', 5000), string.Join('&', Enumerable.Repeat("field=1:x", 200)),
                 })
        {
            using var response = await kari.GetAsync("/en/requests/new?kind=Rectification&" + query);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await CookieAwareClient.ParsePageAsync(response);
            var selects = page.QuerySelectorAll("select[name='Input.Field']").Cast<IHtmlSelectElement>().ToList();
            Assert.Single(selects);
            Assert.True(string.IsNullOrEmpty(selects[0].Value));
            Assert.DoesNotContain("Maasikas", page.Body!.TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Several_values_are_corrected_in_one_request_and_carried_out_together()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var contactId = await host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kariId && r.CategoryId == "contact").Select(r => r.Id).SingleAsync());
        var identityId = await host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kariId && r.CategoryId == "identity").Select(r => r.Id).SingleAsync());
        var identityContent = await host.DbAsync(db => db.HeldRecords.Where(r => r.Id == identityId).Select(r => r.Content).SingleAsync());
        var identityField = RectifiableFields.Of(identityContent)[0].Field;
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");

        var form = await PortalHost.FormAsync(kari, $"/nb/requests/new?kind=Rectification&field={contactId}:deliveryAddress&field={identityId}:{identityField}");
        var selects = form.Element.QuerySelectorAll("select[name='Input.Field']").Cast<IHtmlSelectElement>().ToList();
        Assert.Equal(3, selects.Count);
        Assert.Equal($"{contactId}:deliveryAddress", selects[0].Value);
        Assert.Equal($"{identityId}:{identityField}", selects[1].Value);
        ((IHtmlInputElement)form.Element.QuerySelector("#value-0")!).Value = "Kirkegata 1, 0153 Oslo";
        ((IHtmlInputElement)form.Element.QuerySelector("#value-1")!).Value = "Kari Nordkvinne";
        using var filed = await form.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, filed.StatusCode);

        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync());
        Assert.Equal(
            [(contactId, "deliveryAddress", "Kirkegata 1, 0153 Oslo"), (identityId, identityField, "Kari Nordkvinne")],
            request.Corrections.Select(c => (c.RecordId, c.Field, c.Value)));
        Assert.Equal(["innore-no"], request.ControllerIds);

        var details = await kari.GetPageAsync(filed.Headers.Location!.OriginalString);
        var lines = details.QuerySelectorAll("#corrections li").Select(li => li.TextContent).ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("Leveringsadresse: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("deliveryAddress", details.Body!.TextContent, StringComparison.Ordinal);

        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        await RequestFlows.StaffDoAsync(dpo, request.Id, "carry-out", f => f.Set("Input.Reply", "Rettet."));
        var contents = await host.DbAsync(db => db.HeldRecords.Where(r => r.Id == contactId || r.Id == identityId).Select(r => r.Content).ToListAsync());
        Assert.Contains(contents, c => c.Contains("\"deliveryAddress\":\"Kirkegata 1, 0153 Oslo\"", StringComparison.Ordinal));
        Assert.Contains(contents, c => c.Contains("Kari Nordkvinne", StringComparison.Ordinal));
        var tasks = await host.DbAsync(db => db.Set<RecipientTask>().AsNoTracking().Where(t => t.RequestId == request.Id).ToListAsync());
        Assert.NotEmpty(tasks);
        Assert.All(tasks, t => Assert.Contains("Kari Nordkvinne", t.Payload, StringComparison.Ordinal));
        Assert.All(tasks, t => Assert.Contains("Kirkegata 1, 0153 Oslo", t.Payload, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_half_filled_row_is_refused_with_a_message_and_nothing_is_filed()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var contactId = await host.DbAsync(db => db.HeldRecords.Where(r => r.SubjectId == kariId && r.CategoryId == "contact").Select(r => r.Id).SingleAsync());
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var form = await PortalHost.FormAsync(kari, $"/en/requests/new?kind=Rectification&field={contactId}:deliveryAddress");
        using var response = await form.SubmitAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.NotNull(page.QuerySelector(".error-summary"));
        // The chosen value stays chosen.
        Assert.Equal($"{contactId}:deliveryAddress", ((IHtmlSelectElement)page.QuerySelector("#field-0")!).Value);
        Assert.Equal(0, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
    }

    [Fact]
    public async Task Object_on_my_data_opens_the_objection_form_with_the_purpose_and_company_chosen()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var form = await kari.GetPageAsync("/en/requests/new?kind=Objection&purpose=innore-no%2Flegal-claims&purpose=innore-no%2Fnot-a-purpose&purpose=");
        var purposes = form.QuerySelectorAll("input[name='Input.Purposes']").Cast<IHtmlInputElement>().ToList();
        Assert.Equal(["innore-no/legal-claims"], purposes.Where(p => p.IsChecked).Select(p => p.Value));
        var companies = form.QuerySelectorAll("input[name='Input.Controllers']").Cast<IHtmlInputElement>().ToList();
        Assert.Equal(["innore-no"], companies.Where(c => c.IsChecked).Select(c => c.Value));
    }
}
