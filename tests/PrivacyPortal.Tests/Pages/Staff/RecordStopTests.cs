using System.Net;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>A stop told to customer service by phone or in a store, recorded at /staff/people/{id}/stop.</summary>
public sealed class RecordStopTests
{
    [Fact]
    public async Task A_newsletter_stop_by_phone_is_in_the_persons_history_with_the_staff_member_and_the_channel()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        var supportId = await host.UserIdAsync(PortalHost.Support);
        using var support = await host.StaffAsync(PortalHost.Support);

        var person = await support.GetPageAsync($"/staff/people/{kariId}");
        Assert.Equal($"/staff/people/{kariId}/stop", person.QuerySelector("#record-stop-link")!.GetAttribute("href"));
        var form = await PortalHost.FormAsync(support, $"/staff/people/{kariId}/stop", "#record-stop");
        using var response = await form.Set("Preference", "innore-no|Newsletter|newsletter").Set("Channel", "Phone").SubmitAsync();
        var done = await PortalHost.FollowAsync(support, response);
        Assert.Contains("The stop is recorded", done.QuerySelector("main")!.TextContent, StringComparison.Ordinal);

        var row = await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.SubjectId == kariId).OrderByDescending(r => r.Id).FirstAsync());
        Assert.Equal((PreferenceKind.Newsletter, false, PreferenceActorKind.Staff, supportId, PreferenceChannel.Phone), (row.Kind, row.Enabled, row.Actor, row.ActorId!.Value, row.Channel));
        Assert.Equal(1, await host.DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "staff.recorded-stop" && e.SubjectId == kariId && e.ActorId == supportId)));

        using var kari = await host.SignInAsync(PortalHost.Kari, "nb");
        var preferences = await kari.GetPageAsync("/nb/preferences");
        var newest = preferences.QuerySelector("#history-heading")!.ParentElement!.QuerySelector("tbody tr")!.TextContent;
        Assert.Contains("Kundeservice, på telefon", newest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Everything_of_a_company_stopped_in_a_store_stops_every_preference_it_offers()
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);

        var form = await PortalHost.FormAsync(support, $"/staff/people/{kariId}/stop", "#record-stop");
        using (var response = await form.Set("Preference", "all:innore-no").Set("Channel", "InStore").SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        var on = await host.DbAsync(async db =>
        {
            var rows = await db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.SubjectId == kariId && r.ControllerId == "innore-no").ToListAsync();
            return rows.GroupBy(r => (r.Kind, r.Target)).Select(g => g.MaxBy(r => r.Version)!).Where(r => r.Enabled).ToList();
        });
        Assert.Empty(on);
        Assert.True(await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().AnyAsync(r => r.SubjectId == kariId && r.Channel == PreferenceChannel.InStore)));
    }

    [Theory]
    [InlineData("Preference", "innore-no|Newsletter|weekly-offers", "Choose what to stop from the list.")]
    [InlineData("Preference", "", "Choose what to stop from the list.")]
    [InlineData("Channel", "Portal", "Choose how the person asked: by phone or in a store.")]
    [InlineData("Channel", "", "Choose how the person asked: by phone or in a store.")]
    public async Task A_forged_or_missing_choice_is_refused_and_nothing_is_written(string field, string value, string message)
    {
        using var host = new PortalHost();
        var kariId = await host.UserIdAsync(PortalHost.Kari);
        using var support = await host.StaffAsync(PortalHost.Support);
        var before = await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync());
        var form = await PortalHost.FormAsync(support, $"/staff/people/{kariId}/stop", "#record-stop");
        form.Set("Preference", "innore-no|Newsletter|newsletter").Set("Channel", "Phone");
        form.SetForged(field, value);
        using var response = await form.SubmitAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, (await CookieAwareClient.ParsePageAsync(response)).QuerySelector("#record-stop")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(before, await host.DbAsync(db => db.Set<MarketingPreferenceRecord>().CountAsync()));
    }
}
