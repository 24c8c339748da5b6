using System.Collections.Concurrent;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Features.Oidc;

public sealed class EndSessionAndBackChannelLogoutTests : IDisposable
{
    private readonly StoreEndpoints stores = new();
    private readonly PortalAppFactory factory;
    private readonly CookieAwareClient browser;
    private readonly OidcFlow flow;

    public EndSessionAndBackChannelLogoutTests()
    {
        // The sweep of timed-out sessions runs when a test says so, not on its own timer.
        factory = OidcFlow.NewPortal().With("Oidc:TimedOutSessionsInterval", "01:00:00").WithServices(services =>
            services.AddHttpClient(BackChannelLogoutDispatcher.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => stores));
        browser = factory.CreateCookieAwareClient();
        flow = new OidcFlow(factory, browser);
    }

    public void Dispose()
    {
        browser.Dispose();
        factory.Dispose();
        stores.Dispose();
    }

    [Fact]
    public async Task An_unregistered_post_logout_redirect_uri_is_never_redirected_to_and_nobody_is_signed_out()
    {
        var tokens = await flow.SignInToStoreAsync();

        using var response = await browser.GetAsync("/connect/endsession?id_token_hint=" + tokens.GetProperty("id_token").GetString()
            + "&post_logout_redirect_uri=" + Uri.EscapeDataString("https://evil.example/") + "&state=s");

        Assert.Equal("/en/oidc/error?error=invalid_post_logout_redirect_uri", response.Headers.Location!.OriginalString);
        using var myData = await browser.GetAsync("/en/my-data");
        Assert.Equal(HttpStatusCode.OK, myData.StatusCode);
    }

    [Theory]
    [InlineData("http://localhost:5101/signout-callback-oidc/")]
    [InlineData("http://localhost:5102/signout-callback-oidc")] // the other store's
    public async Task A_post_logout_uri_must_be_registered_exactly_for_the_hinted_client(string uri)
    {
        var tokens = await flow.SignInToStoreAsync();

        using var response = await browser.GetAsync("/connect/endsession?id_token_hint=" + tokens.GetProperty("id_token").GetString()
            + "&post_logout_redirect_uri=" + Uri.EscapeDataString(uri));

        Assert.Equal("/en/oidc/error?error=invalid_post_logout_redirect_uri", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_forged_id_token_hint_is_refused()
    {
        var tokens = await flow.SignInToStoreAsync();
        var idToken = tokens.GetProperty("id_token").GetString()!;
        var forged = idToken[..^4] + (idToken[^4] == 'A' ? "BBBB" : "AAAA");

        using var response = await browser.GetAsync($"/connect/endsession?id_token_hint={forged}&post_logout_redirect_uri={Uri.EscapeDataString(DevClients.EuPostLogout)}");

        Assert.Equal("/en/oidc/error?error=invalid_id_token_hint", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Signing_out_at_one_store_ends_the_portal_session_and_tells_every_store_of_the_session()
    {
        var eu = await flow.SignInToStoreAsync(scope: "openid email");
        var (verifier, challenge) = OidcFlow.Pkce();
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(challenge, clientId: DevClients.No, redirectUri: DevClients.NoRedirect, scope: "openid"));
        using (var no = await flow.RedeemAsync(OidcFlow.QueryValue(redirect, "code")!, verifier, DevClients.NoRedirect, DevClients.No, DevClients.NoSecret))
        {
            Assert.Equal(HttpStatusCode.OK, no.StatusCode);
        }

        var idToken = eu.GetProperty("id_token").GetString()!;
        var sid = OidcFlow.Payload(idToken).GetProperty("sid").GetString();

        using var response = await browser.GetAsync($"/connect/endsession?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString(DevClients.EuPostLogout)}&state=bye");

        Assert.Equal(DevClients.EuPostLogout + "?state=bye", response.Headers.Location!.ToString());
        using (var myData = await browser.GetAsync("/en/my-data"))
        {
            Assert.Equal(HttpStatusCode.Redirect, myData.StatusCode);
        }

        using (var userInfo = await flow.UserInfoAsync(eu.GetProperty("access_token").GetString()!))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
        }

        var received = await stores.WaitForAsync(2);
        Assert.Equal(["http://localhost:5101/backchannel-logout", "http://localhost:5102/backchannel-logout"], received.Select(r => r.Uri).Order());
        foreach (var (uri, body) in received)
        {
            var token = System.Web.HttpUtility.ParseQueryString(body)["logout_token"]!;
            var header = OidcFlow.Header(token);
            var claims = OidcFlow.Payload(token);
            Assert.Equal("RS256", header.GetProperty("alg").GetString());
            Assert.Equal("logout+jwt", header.GetProperty("typ").GetString());
            Assert.Equal(uri.Contains("5101", StringComparison.Ordinal) ? DevClients.Eu : DevClients.No, claims.GetProperty("aud").GetString());
            Assert.Equal(sid, claims.GetProperty("sid").GetString());
            Assert.Equal(OidcFlow.Payload(idToken).GetProperty("sub").GetString(), claims.GetProperty("sub").GetString());
            Assert.True(claims.GetProperty("events").TryGetProperty("http://schemas.openid.net/event/backchannel-logout", out _));
            Assert.False(claims.TryGetProperty("nonce", out _));
            Assert.False(string.IsNullOrEmpty(claims.GetProperty("jti").GetString()));
        }
    }

    [Fact]
    public async Task A_session_left_idle_ends_its_store_sign_ins_without_the_person_coming_back()
    {
        var tokens = await flow.SignInToStoreAsync(scope: "openid email");
        var sid = OidcFlow.Payload(tokens.GetProperty("id_token").GetString()!).GetProperty("sid").GetString();

        factory.Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await EndTimedOutSessionsAsync());
        factory.Clock.Advance(TimeSpan.FromMinutes(2)); // past the 30-minute idle timeout
        Assert.Equal(1, await EndTimedOutSessionsAsync());
        Assert.Equal(0, await EndTimedOutSessionsAsync()); // ended once

        var received = Assert.Single(await stores.WaitForAsync(1));
        Assert.Equal("http://localhost:5101/backchannel-logout", received.Uri);
        var logout = OidcFlow.Payload(System.Web.HttpUtility.ParseQueryString(received.Body)["logout_token"]!);
        Assert.Equal(sid, logout.GetProperty("sid").GetString());
        Assert.Equal("logout", await PortalTestSession.QueryAsync(factory, db => db.Set<OidcGrant>().Select(g => g.RevokedReason).SingleAsync()));
    }

    [Fact]
    public async Task A_person_coming_back_after_the_absolute_timeout_is_signed_out_and_the_stores_are_told_once()
    {
        await flow.SignInToStoreAsync(scope: "openid email");
        for (var hour = 0; hour < 12; hour++)
        {
            factory.Clock.Advance(TimeSpan.FromMinutes(20));
            using var active = await browser.GetAsync("/en/my-data"); // active all along: only the 12-hour limit ends it
            Assert.Equal(HttpStatusCode.OK, active.StatusCode);
            factory.Clock.Advance(TimeSpan.FromMinutes(20));
            using var stillActive = await browser.GetAsync("/en/my-data");
            factory.Clock.Advance(TimeSpan.FromMinutes(20));
            using var activeAgain = await browser.GetAsync("/en/my-data");
        }

        using var after = await browser.GetAsync("/en/my-data");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal(0, await EndTimedOutSessionsAsync()); // the returning browser ended it already

        var received = Assert.Single(await stores.WaitForAsync(1));
        Assert.Equal("http://localhost:5101/backchannel-logout", received.Uri);
        Assert.Equal(1, await PortalTestSession.QueryAsync(factory, db => db.Set<OidcLogoutNotification>().CountAsync()));
    }

    private Task<int> EndTimedOutSessionsAsync() =>
        PortalTestSession.WithScopeAsync(factory, s => s.GetRequiredService<EndTimedOutSessionsCommand>().ExecuteAsync(default));

    [Fact]
    public async Task A_hint_issued_to_the_other_store_is_refused_and_nobody_is_signed_out()
    {
        await flow.SignInToStoreAsync(scope: "openid");
        var (verifier, challenge) = OidcFlow.Pkce();
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(challenge, clientId: DevClients.No, redirectUri: DevClients.NoRedirect, scope: "openid"));
        using var redeemed = await flow.RedeemAsync(OidcFlow.QueryValue(redirect, "code")!, verifier, DevClients.NoRedirect, DevClients.No, DevClients.NoSecret);
        var noIdToken = (await OidcFlow.JsonAsync(redeemed)).GetProperty("id_token").GetString()!;

        using var response = await browser.GetAsync($"/connect/endsession?client_id={DevClients.Eu}&id_token_hint={noIdToken}"
            + $"&post_logout_redirect_uri={Uri.EscapeDataString(DevClients.EuPostLogout)}&state=s");

        Assert.Equal("/en/oidc/error?error=invalid_id_token_hint", response.Headers.Location!.OriginalString);
        using var myData = await browser.GetAsync("/en/my-data");
        Assert.Equal(HttpStatusCode.OK, myData.StatusCode);
    }

    [Fact]
    public async Task Without_an_id_token_hint_the_person_confirms_and_ends_on_the_portals_signed_out_page()
    {
        await flow.SignInToStoreAsync(scope: "openid");

        using var response = await browser.GetAsync($"/connect/endsession?client_id={DevClients.Eu}&post_logout_redirect_uri={Uri.EscapeDataString(DevClients.EuPostLogout)}&state=s1");
        var confirm = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/en/oidc/logout?request=", confirm, StringComparison.Ordinal);
        using (var stillIn = await browser.GetAsync("/en/my-data"))
        {
            Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        }

        var form = await HtmlForm.LoadAsync(browser, confirm, "form.stack");
        using var signedOut = await form.SubmitAsync();

        // client_id alone does not earn the way back to a store: only its own verified ID token does.
        Assert.Equal("/en/oidc/logout?done=true", signedOut.Headers.Location!.OriginalString);
        using var myData = await browser.GetAsync("/en/my-data");
        Assert.Equal(HttpStatusCode.Redirect, myData.StatusCode);
        Assert.Single(await stores.WaitForAsync(1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?request=tampered")]
    public async Task A_missing_or_tampered_sign_out_request_gets_the_error_page_in_the_pages_language_and_signs_nobody_out(string query)
    {
        await flow.SignInToStoreAsync(scope: "openid");
        var token = (await browser.GetPageAsync("/nb/my-data")).QuerySelector("meta[name=request-verification-token]")!.GetAttribute("content")!;

        using var get = await browser.GetAsync("/nb/oidc/logout" + query);
        using var post = await browser.PostFormAsync("/nb/oidc/logout" + query, [new(HtmlForm.AntiforgeryFieldName, token), new("request", "also-tampered")]);

        Assert.Equal("/nb/oidc/error?error=invalid_logout_request", get.Headers.Location?.OriginalString);
        Assert.Equal("/nb/oidc/error?error=invalid_logout_request", post.Headers.Location?.OriginalString);
        using var error = await browser.GetAsync("/nb/oidc/error?error=invalid_logout_request");
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        var body = await error.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"nb\"", body, StringComparison.Ordinal);
        Assert.Contains("Utloggingen fra butikken kunne ikke fullføres", body, StringComparison.Ordinal);
        Assert.Contains("Du er ikke logget ut.", body, StringComparison.Ordinal);
        using var myData = await browser.GetAsync("/nb/my-data");
        Assert.Equal(HttpStatusCode.OK, myData.StatusCode);
        Assert.Equal(0, stores.Count);
    }

    [Fact]
    public async Task The_portals_own_sign_out_button_also_signs_the_person_out_of_the_stores()
    {
        await flow.SignInToStoreAsync(scope: "openid");
        var page = await browser.GetPageAsync("/en/my-data");

        using var response = await HtmlForm.From(browser, page, "form.inline-form").SubmitAsync();

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http://localhost:5101/backchannel-logout", Assert.Single(await stores.WaitForAsync(1)).Uri);
    }

    [Fact]
    public async Task A_store_that_is_down_gets_the_logout_later()
    {
        stores.FailNext = 2;
        var tokens = await flow.SignInToStoreAsync(scope: "openid");
        using var response = await browser.GetAsync("/connect/endsession?id_token_hint=" + tokens.GetProperty("id_token").GetString());
        Assert.Equal("/en/oidc/logout?done=true", response.Headers.Location!.OriginalString);

        var dispatcher = factory.Services.GetRequiredService<BackChannelLogoutDispatcher>();
        await WaitUntilAsync(async () => (await NotificationAsync()).Attempts == 1);
        var first = await NotificationAsync();
        Assert.Equal(LogoutNotificationStatus.Pending, first.Status);
        Assert.Equal("HTTP 503", first.LastError);
        Assert.Equal(0, await dispatcher.DeliverDueAsync(CancellationToken.None));

        // Moving the clock also wakes the dispatcher's own timer; either may deliver, so wait for the row.
        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        await dispatcher.DeliverDueAsync(CancellationToken.None);
        await WaitUntilAsync(async () => (await NotificationAsync()).Attempts == 2);
        Assert.Equal(LogoutNotificationStatus.Pending, (await NotificationAsync()).Status);
        Assert.Empty(await stores.WaitForAsync(0));

        factory.Clock.Advance(TimeSpan.FromSeconds(60));
        await dispatcher.DeliverDueAsync(CancellationToken.None);
        await WaitUntilAsync(async () => (await NotificationAsync()).Status == LogoutNotificationStatus.Delivered);

        Assert.Equal(3, (await NotificationAsync()).Attempts);
        Assert.Single(await stores.WaitForAsync(1));
    }

    private Task<OidcLogoutNotification> NotificationAsync() =>
        flow.WithDbAsync(db => db.Set<OidcLogoutNotification>().AsNoTracking().SingleAsync());

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting.");
            await Task.Delay(50);
        }
    }

    /// <summary>The stores' back-channel logout endpoints: records what they receive; can be made to fail.</summary>
    private sealed class StoreEndpoints : HttpMessageHandler
    {
        private readonly ConcurrentQueue<(string Uri, string Body)> received = new();

        public int FailNext { get; set; }

        public int Count => received.Count;

        public async Task<IReadOnlyList<(string Uri, string Body)>> WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (received.Count < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            await Task.Delay(100);
            return [.. received];
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (FailNext > 0)
            {
                FailNext--;
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            }

            received.Enqueue((request.RequestUri!.ToString(), await request.Content!.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
