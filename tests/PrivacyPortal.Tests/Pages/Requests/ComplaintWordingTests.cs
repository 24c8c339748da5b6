using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Requests;

/// <summary>A complaint is not a request: its page, button, notice and mail say complaint, and the authorities come after the text.</summary>
public sealed class ComplaintWordingTests
{
    [Theory]
    [InlineData("nb", "Send klagen", "Skriv til oss om denne klagen")]
    [InlineData("et", "Saatke kaebus", "Kirjutage meile selle kaebuse kohta")]
    [InlineData("en", "Send complaint", "Write to us about this complaint")]
    public async Task The_complaint_form_and_its_mail_say_complaint_and_list_the_authorities_after_the_text(string culture, string button, string messageLabel)
    {
        using var host = new PortalHost();
        using var kari = await host.SignInAsync(PortalHost.Kari, culture);

        var page = await kari.GetPageAsync($"/{culture}/requests/new?kind=Complaint");
        Assert.Equal(button, page.QuerySelector("main form button[type=submit]:not([formaction])")!.TextContent.Trim());
        var textarea = page.QuerySelector("#details")!;
        var authorities = page.QuerySelector("#authorities-heading")!;
        // The text box comes first; where else to complain follows it.
        Assert.True(textarea.CompareDocumentPosition(authorities).HasFlag(AngleSharp.Dom.DocumentPositions.Following));
        Assert.Contains("Datatilsynet", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        var id = await RequestFlows.FileAsync(kari, culture, RequestKind.Complaint, f => f.Set("Input.Details", "Reklame etter at jeg sa nei."));

        var mail = Assert.Single(await host.MailsToAsync(PortalHost.Kari));
        // The mail follows Kari's stored language (nb), whatever the page's.
        Assert.StartsWith("Vi har mottatt klagen din", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Klagen din er mottatt", mail.TextBody, StringComparison.Ordinal);
        var details = await kari.GetPageAsync($"/{culture}/requests/{id}");
        Assert.Equal(messageLabel, details.QuerySelector("label[for=message-text]")!.TextContent.Trim());
    }
}
