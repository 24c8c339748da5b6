using System.Net;
using AngleSharp.Dom;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Features.Requests;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Pages.Preferences;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Infrastructure.Time;

/// <summary>
/// Customer pages show times in the person's zone: the browser's when it may say (preference
/// consent), else the zone of the company holding their data. The clock stands at 09:00 UTC on
/// 15 January 2025: 10:00 in Oslo, 11:00 in Tallinn.
/// </summary>
public sealed class LocalTimesTests : IDisposable
{
    private const string ZoneCookie = "pp.tz";

    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Kari_sees_her_preference_history_in_norwegian_time_and_never_utc()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari, "nb");
        using (await IndexTests.PressAsync(client, PreferenceKey.Newsletter("innore-no"), "nb"))
        {
        }

        var page = await client.GetPageAsync("/nb/preferences");

        var time = page.QuerySelector("#history tbody tr time")!;
        Assert.Equal("15.01.2025 10:00", time.TextContent);
        Assert.StartsWith("2025-01-15T09:00:", time.GetAttribute("datetime"), StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mari_sees_estonian_time_in_english_with_the_month_in_words()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Mari, "en");
        using (await IndexTests.PressAsync(client, PreferenceKey.Newsletter("innore-ee"), "en"))
        {
        }

        var page = await client.GetPageAsync("/en/preferences");

        Assert.Equal("15 January 2025, 11:00", page.QuerySelector("#history tbody tr time")!.TextContent);
        Assert.DoesNotContain("UTC", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_browsers_zone_is_used_only_with_preference_consent_and_only_if_it_is_a_real_zone()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari, "en");
        using (await IndexTests.PressAsync(client, PreferenceKey.Newsletter("innore-no"), "en"))
        {
        }

        client.Cookies.Add(client.BaseAddress, new Cookie(ZoneCookie, "America/New_York", "/"));
        var withoutConsent = await client.GetPageAsync("/en/preferences");
        Assert.Equal("15 January 2025, 10:00", HistoryTime(withoutConsent));
        Assert.True(string.IsNullOrEmpty(withoutConsent.DocumentElement.GetAttribute("data-tz-cookie")));

        var start = await client.GetPageAsync("/en/");
        using (await HtmlForm.From(client, start, "#cookie-banner form").SubmitAsync("#cookie-accept"))
        {
        }

        client.Cookies.Add(client.BaseAddress, new Cookie(ZoneCookie, "America/New_York", "/"));
        var withConsent = await client.GetPageAsync("/en/preferences");
        Assert.Equal("15 January 2025, 04:00", HistoryTime(withConsent));
        Assert.Equal(ZoneCookie, withConsent.DocumentElement.GetAttribute("data-tz-cookie"));

        client.Cookies.Add(client.BaseAddress, new Cookie(ZoneCookie, "Mars/Olympus_Mons", "/"));
        Assert.Equal("15 January 2025, 10:00", HistoryTime(await client.GetPageAsync("/en/preferences")));
    }

    [Fact]
    public async Task Request_timelines_and_dates_are_local_and_in_one_format()
    {
        using var client = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, client, PortalTestSession.Kari, "nb");
        var id = await RequestFlows.FileAsync(client, "nb", RequestKind.Access);

        var page = await client.GetPageAsync($"/nb/requests/{id}");

        var main = page.QuerySelector("main")!.TextContent;
        Assert.DoesNotContain("UTC", main, StringComparison.Ordinal);
        Assert.Contains("15.01.2025 10:00", main, StringComparison.Ordinal);
        Assert.Contains("15.02.2025", main, StringComparison.Ordinal);
    }

    private static string HistoryTime(IDocument page) => page.QuerySelector("#history tbody tr time")!.TextContent;
}
