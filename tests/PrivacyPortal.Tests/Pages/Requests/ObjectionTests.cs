using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>An objection under Art. 21(1) names processing the policy bases on legitimate interests, per company.</summary>
public sealed class ObjectionTests
{
    [Fact]
    public async Task The_form_offers_each_companys_legitimate_interest_purposes_and_the_chosen_ones_are_on_the_request()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var form = await PortalHost.FormAsync(kari, "/en/requests/new?kind=Objection");

        var offered = form.Element.QuerySelectorAll("input[name='Input.Purposes']").Select(i => i.GetAttribute("value")).ToList();
        Assert.Equal(
            [
                "innore-ee/customer-support", "innore-ee/b2b-project-communication", "innore-ee/legal-claims", "innore-ee/fraud-prevention",
                "innore-no/customer-support", "innore-no/b2b-project-communication", "innore-no/legal-claims", "innore-no/fraud-prevention",
            ],
            offered);
        var legend = form.Element.QuerySelector("#purposes")!.TextContent;
        Assert.Contains("Fraud prevention and security", legend, StringComparison.Ordinal);
        // Direct marketing is objected to on the preferences page, at once, not here.
        Assert.DoesNotContain("Direct marketing", legend, StringComparison.Ordinal);

        // Purposes without free text are enough.
        form.Check("Input.Purposes", "innore-no/fraud-prevention").Check("Input.Purposes", "innore-no/legal-claims");
        using var filed = await form.SubmitAsync();
        Assert.Equal(HttpStatusCode.Redirect, filed.StatusCode);
        var id = Guid.Parse(filed.Headers.Location!.OriginalString["/en/requests/".Length..]);

        var request = await host.DbAsync(db => db.Set<PrivacyRequest>().AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal(["innore-no/legal-claims", "innore-no/fraud-prevention"], request.ObjectionPurposeKeys);
        Assert.Null(request.Details);

        var page = await kari.GetPageAsync($"/en/requests/{id}");
        Assert.Equal(
            ["INNORE AS: Establishing, exercising or defending legal claims", "INNORE AS: Fraud prevention and security"],
            page.QuerySelectorAll("#objection-purposes li").Select(li => li.TextContent.Trim()));
        using var dpo = await host.StaffAsync(PortalHost.Dpo);
        var staffPage = await dpo.GetPageAsync($"/staff/requests/{id}");
        Assert.Equal(2, staffPage.QuerySelectorAll("#objection-purposes li").Length);
    }

    [Theory]
    [InlineData("innore-no/direct-marketing-customers", "Velg behandling fra listen, for selskapene du har valgt.")]
    [InlineData("innore-no/analytics", "Velg behandling fra listen, for selskapene du har valgt.")]
    [InlineData("innore-no/no-such-purpose", "Velg behandling fra listen, for selskapene du har valgt.")]
    [InlineData("nonsense", "Velg behandling fra listen, for selskapene du har valgt.")]
    [InlineData("", "Velg behandlingen du protesterer mot, eller skriv hvilken det er og hvorfor.")]
    public async Task A_purpose_not_offered_or_no_purpose_and_no_text_is_refused(string purpose, string message)
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var form = await PortalHost.FormAsync(kari, "/nb/requests/new?kind=Objection");
        var fields = form.Fields.Where(f => f.Key != "Input.Purposes").Append(new("Input.Purposes", purpose)).ToList();

        using var response = await kari.PostFormAsync("/nb/requests/new", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.Contains(message, page.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
    }

    [Fact]
    public async Task A_purpose_of_a_company_not_chosen_is_refused()
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, "en");
        var form = await PortalHost.FormAsync(kari, "/en/requests/new?kind=Objection");
        form.Uncheck("Input.Controllers", "innore-ee").Check("Input.Purposes", "innore-ee/fraud-prevention");

        using var response = await form.SubmitAsync();

        var page = await CookieAwareClient.ParsePageAsync(response);
        Assert.Contains("Choose processing from the list, for the companies you have chosen.", page.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await host.DbAsync(db => db.Set<PrivacyRequest>().CountAsync()));
    }
}
