using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Unsubscribe;

public sealed class IndexTests : IDisposable
{
    private static readonly PreferenceKey Email = PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Email);
    private readonly PortalAppFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_store_gets_a_link_in_the_persons_language_with_the_rfc_8058_headers()
    {
        _factory.Start();
        var kari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);

        var link = await CreateLinkAsync(kari, Email, "innore-no");

        Assert.StartsWith("https://localhost/nb/unsubscribe/", link.Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal($"<{link.Url.AbsoluteUri}>", link.ListUnsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", link.ListUnsubscribePost);
        await Assert.ThrowsAsync<ArgumentException>(() => CreateLinkAsync(kari, PreferenceKey.Newsletter("acme"), null));
    }

    [Fact]
    public async Task Get_only_shows_what_will_stop_and_the_button_then_stops_it_without_signing_in()
    {
        var kari = await StartAsync();
        var link = await CreateLinkAsync(kari, Email, "innore-no");
        using var client = _factory.CreateCookieAwareClient();

        var page = await client.GetPageAsync(link.Url.PathAndQuery);
        Assert.Equal("Stopp markedsføring", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("INNORE AS", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Markedsføring på e-post", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(PortalTestSession.Kari, page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        using (var head = await client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, link.Url.PathAndQuery)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        Assert.Empty(await RowsAsync());

        using var response = await HtmlForm.From(client, page, "main form").SubmitAsync("#unsubscribe");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var done = await client.GetPageAsync(response.Headers.Location!.OriginalString);
        Assert.Equal("Du er meldt av", done.QuerySelector("h1")!.TextContent.Trim());
        var row = Assert.Single(await RowsAsync());
        Assert.Equal(kari, row.SubjectId);
        Assert.False(row.Enabled);
        Assert.Equal(PreferenceActorKind.UnsubscribeLink, row.Actor);
        Assert.Equal(PreferenceChannel.UnsubscribePage, row.Channel);
        Assert.Equal("innore-no", row.StoreId);
        Assert.Null(row.ActorId);

        // Opening the link again says it is already done.
        var again = await client.GetPageAsync(link.Url.PathAndQuery);
        Assert.Contains("allerede meldt deg av", again.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pages_button_post_needs_its_antiforgery_token()
    {
        var kari = await StartAsync();
        var link = await CreateLinkAsync(kari, Email, null);
        using var client = _factory.CreateCookieAwareClient();
        await client.GetPageAsync(link.Url.PathAndQuery);

        using var response = await client.PostFormAsync(link.Url.PathAndQuery, [KeyValuePair.Create("x", "y")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Trykk på knappen igjen", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task The_one_click_post_of_a_mail_client_works_without_a_session_or_token_and_twice_is_once()
    {
        var kari = await StartAsync();
        var link = await CreateLinkAsync(kari, PreferenceKey.Newsletter("innore-no"), "innore-no");
        using var mailClient = _factory.CreateCookieAwareClient();

        using (var first = await OneClickAsync(mailClient, link.Url))
        using (var second = await OneClickAsync(mailClient, link.Url))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        // Kari's subscription (demo data) is stopped once, however often the mail client posts.
        var stopped = Assert.Single(await RowsAsync());
        Assert.False(stopped.Enabled);
        Assert.Equal(PreferenceChannel.OneClick, stopped.Channel);

        // Subscribed again, the same link stops it again.
        await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<ChangeMarketingPreferenceCommand>()
            .ExecuteAsync(kari, [new(PreferenceKey.Newsletter("innore-no"), true)], PreferenceActor.Person(kari), default));
        using (var first = await OneClickAsync(mailClient, link.Url))
        using (var second = await OneClickAsync(mailClient, link.Url))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var rows = await RowsAsync();
        Assert.Equal([false, true, false], rows.Select(r => r.Enabled));
        Assert.Equal(PreferenceChannel.OneClick, rows[2].Channel);
        Assert.Equal(PreferenceActorKind.UnsubscribeLink, rows[2].Actor);
        Assert.Equal("innore-no", rows[2].StoreId);
        Assert.Null(mailClient.GetCookie("pp.auth"));
    }

    [Fact]
    public async Task The_mail_confirming_a_subscription_has_a_one_click_header_that_ends_exactly_that_subscription()
    {
        _factory.Start();
        var ola = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Ola);
        var newsletter = PreferenceKey.Newsletter("innore-no");
        await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<ChangeMarketingPreferenceCommand>()
            .ExecuteAsync(ola, [new(newsletter, true)], PreferenceActor.Person(ola), default));
        var confirmation = await PortalTestSession.QueryAsync(_factory, db => db.Outbox.AsNoTracking()
            .SingleAsync(m => m.Kind == "preferences-changed" && m.To == PortalTestSession.Ola));
        Assert.StartsWith("https://localhost/", confirmation.ListUnsubscribe, StringComparison.Ordinal);
        Assert.Contains("/unsubscribe/", confirmation.ListUnsubscribe, StringComparison.Ordinal);

        // The mail has gone out (its bundle window is over) and the person presses its button.
        _factory.Clock.Advance(TimeSpan.FromMinutes(3));
        using var mailClient = _factory.CreateCookieAwareClient();
        using (var response = await OneClickAsync(mailClient, new Uri(confirmation.ListUnsubscribe!)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var state = await PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<MarketingPreferenceState>().LoadOneAsync(ola, newsletter, default));
        Assert.False(state.Enabled);
        // The mail confirming the stop offers nothing more to stop.
        var mails = await PortalTestSession.QueryAsync(_factory, db => db.Outbox.AsNoTracking()
            .Where(m => m.Kind == "preferences-changed" && m.To == PortalTestSession.Ola).Select(m => m.ListUnsubscribe).ToListAsync());
        Assert.Equal(2, mails.Count);
        Assert.Single(mails, m => m is not null);
    }

    [Fact]
    public async Task One_click_with_a_session_of_someone_else_stops_only_the_person_the_link_names()
    {
        var kari = await StartAsync();
        var link = await CreateLinkAsync(kari, Email, null);
        using var browser = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, browser, PortalTestSession.Mari);

        using var response = await OneClickAsync(browser, link.Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(kari, Assert.Single(await RowsAsync()).SubjectId);
    }

    [Fact]
    public async Task One_click_with_the_persons_own_session_works_the_same()
    {
        var kari = await StartAsync();
        var link = await CreateLinkAsync(kari, Email, null);
        using var browser = _factory.CreateCookieAwareClient();
        await PortalTestSession.SignInAsync(_factory, browser, PortalTestSession.Kari);

        using var response = await OneClickAsync(browser, link.Url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PreferenceChannel.OneClick, Assert.Single(await RowsAsync()).Channel);
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    [InlineData("long")]
    [InlineData("other-purpose")]
    public async Task Tampered_truncated_and_foreign_tokens_get_a_clear_page_and_change_nothing(string how)
    {
        var kari = await StartAsync();
        var link = await CreateLinkAsync(kari, Email, null);
        var token = link.Url.Segments[^1];
        var bad = how switch
        {
            "flip" => token[..20] + (token[20] == 'A' ? 'B' : 'A') + token[21..],
            "truncate" => token[..(token.Length / 2)],
            "garbage" => "hello-world",
            "long" => new string('a', 5000),
            // Made by the portal's own key ring, but for another purpose (a sign-in attempt reference).
            _ => await PortalTestSession.WithScopeAsync(_factory, s => Task.FromResult(
                s.GetRequiredService<IDataProtectionProvider>().CreateProtector("PrivacyPortal.Login.Attempt").Protect(kari.ToString()))),
        };
        using var client = _factory.CreateCookieAwareClient();

        using var get = await client.GetAsync($"/en/unsubscribe/{bad}");
        using var post = await client.PostFormAsync($"/en/unsubscribe/{bad}", [KeyValuePair.Create("List-Unsubscribe", "One-Click")]);

        foreach (var response in new[] { get, post })
        {
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{response.StatusCode}");
            var html = await response.Content.ReadAsStringAsync();
            if (how != "long")
            {
                Assert.Contains("This link does not work", html, StringComparison.Ordinal);
            }
        }

        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task A_token_from_another_portal_installation_is_foreign()
    {
        var kari = await StartAsync();
        using var other = new PortalAppFactory();
        other.Start();
        var otherKari = await PortalTestSession.SubjectIdAsync(other, PortalTestSession.Kari);
        var foreign = await PortalTestSession.WithScopeAsync(other, s => Task.FromResult(s.GetRequiredService<UnsubscribeLinks>().CreateToken(kari, Email, null)));
        using var client = _factory.CreateCookieAwareClient();

        using var response = await client.PostFormAsync($"/en/unsubscribe/{foreign}", [KeyValuePair.Create("List-Unsubscribe", "One-Click")]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await RowsAsync());
        Assert.NotEqual(kari, otherKari);
    }

    [Fact]
    public async Task An_expired_link_says_so_and_points_to_signing_in()
    {
        var kari = await StartAsync();
        var link = await CreateLinkAsync(kari, Email, null);
        _factory.Clock.Advance(TimeSpan.FromDays(366));
        using var client = _factory.CreateCookieAwareClient();

        using var get = await client.GetAsync(link.Url.PathAndQuery);
        using var post = await OneClickAsync(client, link.Url);

        Assert.Equal(HttpStatusCode.Gone, get.StatusCode);
        Assert.Contains("Denne lenken er utløpt", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        Assert.Empty(await RowsAsync());
    }

    [Fact]
    public async Task Stores_collect_every_change_after_their_cursor_in_order()
    {
        var kari = await StartAsync();
        var mari = await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Mari);
        // The feed starts with the demo data's own history; the store has read that far.
        var start = (await FeedAsync(0, null)).Select(c => c.Id).DefaultIfEmpty(0).Max();
        using var client = _factory.CreateCookieAwareClient();
        await OneClickAsync(client, (await CreateLinkAsync(kari, Email, "innore-no")).Url);
        await OneClickAsync(client, (await CreateLinkAsync(mari, PreferenceKey.DirectMarketing("innore-ee", MarketingChannel.Sms), "innore-eu")).Url);
        await OneClickAsync(client, (await CreateLinkAsync(kari, PreferenceKey.DirectMarketing("innore-no", MarketingChannel.Phone), "innore-no")).Url);

        var all = await FeedAsync(start, null);
        Assert.Equal(3, all.Count);
        Assert.True(all[0].Id < all[1].Id && all[1].Id < all[2].Id);
        var afterFirst = await FeedAsync(all[0].Id, null);
        Assert.Equal(all.Skip(1).Select(c => c.Id), afterFirst.Select(c => c.Id));
        var norway = await FeedAsync(start, "innore-no");
        Assert.All(norway, c => Assert.Equal("innore-no", c.ControllerId));
        Assert.Equal(["email", "phone"], norway.Select(c => c.Target));
        Assert.Empty(await FeedAsync(all[^1].Id, null));
    }

    private async Task<Guid> StartAsync()
    {
        _factory.Start();
        return await PortalTestSession.SubjectIdAsync(_factory, PortalTestSession.Kari);
    }

    private Task<UnsubscribeLink> CreateLinkAsync(Guid subjectId, PreferenceKey key, string? storeId) =>
        PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<UnsubscribeLinks>().CreateAsync(subjectId, key, storeId, default));

    private Task<IReadOnlyList<PreferenceChangeItem>> FeedAsync(long cursor, string? controller) =>
        PortalTestSession.WithScopeAsync(_factory, s => s.GetRequiredService<PreferenceChangeFeed>().ReadAfterAsync(cursor, controller, 100, default));

    private Task<List<MarketingPreferenceRecord>> RowsAsync() =>
        PortalTestSession.QueryAsync(_factory, db => db.Set<MarketingPreferenceRecord>().AsNoTracking().Where(r => r.OccurredAt >= PortalTestSession.TestStart).OrderBy(r => r.Id).ToListAsync());

    /// <summary>What a mail client sends for RFC 8058: a POST to the List-Unsubscribe URL, no cookies of ours needed.</summary>
    private static Task<HttpResponseMessage> OneClickAsync(CookieAwareClient client, Uri url) =>
        client.PostFormAsync(url.PathAndQuery, [KeyValuePair.Create("List-Unsubscribe", "One-Click")]);
}
