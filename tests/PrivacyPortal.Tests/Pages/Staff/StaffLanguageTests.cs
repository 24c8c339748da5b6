using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>Staff choose the staff pages' language in the navigation; it stays with their account, whatever the browser says.</summary>
public sealed class StaffLanguageTests
{
    [Fact]
    public async Task A_staff_member_chooses_the_staff_pages_language_and_keeps_it_across_pages_and_browsers()
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);
        support.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");

        // Until they choose, the browser's language.
        var queue = await support.GetPageAsync("/staff/people?q=kari");
        Assert.Equal("en", queue.DocumentElement.GetAttribute("lang"));
        var current = queue.QuerySelector(".staff-language [aria-current='true']")!;
        Assert.Equal("en", current.GetAttribute("value"));

        var chosen = await HtmlForm.From(support, queue, "form.staff-language").SubmitAsync("button[value='et']");
        Assert.Equal(HttpStatusCode.Redirect, chosen.StatusCode);
        Assert.Equal("/staff/people?q=kari", chosen.Headers.Location!.OriginalString);

        var people = await support.GetPageAsync("/staff/people?q=kari");
        Assert.Equal("et", people.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Töötajate ala", people.QuerySelector("nav.staff-nav")!.GetAttribute("aria-label"));
        Assert.Equal("et", people.QuerySelector(".staff-language [aria-current='true']")!.GetAttribute("value"));
        Assert.Equal("et", await host.DbAsync(db => db.Users.Where(u => u.Email == PortalHost.Support).Select(u => u.StaffLanguage).SingleAsync()));

        // The customer pages keep the language of their URL.
        var myData = await support.GetAsync("/nb/");
        Assert.Contains("lang=\"nb\"", await myData.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("de")]
    [InlineData("")]
    [InlineData("nb-NO-x-very-long-culture-name")]
    public async Task A_language_the_portal_does_not_speak_is_refused_and_changes_nothing(string language)
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);
        var page = await support.GetPageAsync("/staff");
        // The button's value forged, as a hand-made POST would send it.
        page.QuerySelector("form.staff-language button[value='nb']")!.SetAttribute("value", language);
        var response = await HtmlForm.From(support, page, "form.staff-language").SubmitAsync($"button[value='{language}']");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(await host.DbAsync(db => db.Users.Where(u => u.Email == PortalHost.Support).Select(u => u.StaffLanguage).SingleAsync()));
    }

    [Fact]
    public async Task Only_staff_can_choose_and_a_forged_return_address_goes_to_the_queue()
    {
        using var host = new PortalHost();
        using var support = await host.StaffAsync(PortalHost.Support);
        var page = await support.GetPageAsync("/staff");
        var outside = await HtmlForm.From(support, page, "form.staff-language").SetForged("returnUrl", "https://evil.example/").SubmitAsync("button[value='nb']");
        Assert.Equal("/staff", outside.Headers.Location!.OriginalString);

        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var refused = await kari.PostFormAsync("/staff/language", [new("language", "et")]);
        Assert.NotEqual(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Null(await host.DbAsync(db => db.Users.Where(u => u.Email == PortalHost.Kari).Select(u => u.StaffLanguage).SingleAsync()));
    }
}
