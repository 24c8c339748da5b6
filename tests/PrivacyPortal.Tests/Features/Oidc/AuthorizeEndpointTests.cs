using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

public sealed class AuthorizeEndpointTests : IDisposable
{
    private readonly PortalAppFactory factory = OidcFlow.NewPortal();
    private readonly CookieAwareClient browser;
    private readonly OidcFlow flow;

    public AuthorizeEndpointTests()
    {
        browser = factory.CreateCookieAwareClient();
        flow = new OidcFlow(factory, browser);
    }

    public void Dispose()
    {
        browser.Dispose();
        factory.Dispose();
    }

    [Theory]
    [InlineData("http://localhost:5101/signin-oidc/")] // trailing slash
    [InlineData("http://localhost:5101/Signin-oidc")] // case
    [InlineData("http://LOCALHOST:5101/signin-oidc")] // host case
    [InlineData("http://localhost:5102/signin-oidc")] // port (the other store's)
    [InlineData("https://localhost:5101/signin-oidc")] // scheme
    [InlineData("http://localhost:5101/signin-oidc?x=1")] // extra query
    [InlineData("http://localhost:5101/signin-oidc#frag")]
    [InlineData("http://evil.example/signin-oidc")]
    public async Task A_redirect_uri_that_is_not_registered_exactly_is_never_redirected_to(string redirectUri)
    {
        using var response = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, redirectUri: redirectUri));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/en/oidc/error?error=invalid_redirect_uri", response.Headers.Location!.OriginalString);
        using var page = await browser.FollowRedirectAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("not registered", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_client_gets_the_error_page_in_the_asked_language()
    {
        using var response = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, clientId: "innore-xx", extra: [("ui_locales", "nb-NO en")]));

        Assert.Equal("/nb/oidc/error?error=invalid_client", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Missing_pkce_is_refused_at_the_registered_redirect_uri_with_state_and_iss()
    {
        using var response = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, method: null).Replace("code_challenge=", "x=", StringComparison.Ordinal));

        var location = response.Headers.Location!;
        Assert.StartsWith(DevClients.EuRedirect + "?", location.ToString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request", OidcFlow.QueryValue(location, "error"));
        Assert.Equal("state-1", OidcFlow.QueryValue(location, "state"));
        Assert.Equal("https://localhost/", OidcFlow.QueryValue(location, "iss"));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData(null)] // no method means plain (RFC 7636 §4.3)
    [InlineData("S512")]
    public async Task Pkce_other_than_S256_is_refused(string? method)
    {
        using var response = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, method: method));

        Assert.Equal("invalid_request", OidcFlow.QueryValue(response.Headers.Location!, "error"));
        Assert.Contains("S256", OidcFlow.QueryValue(response.Headers.Location!, "error_description"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_none_without_a_session_answers_login_required()
    {
        using var response = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("prompt", "none")]));

        var location = response.Headers.Location!;
        Assert.StartsWith(DevClients.EuRedirect, location.ToString(), StringComparison.Ordinal);
        Assert.Equal("login_required", OidcFlow.QueryValue(location, "error"));
        Assert.Equal("state-1", OidcFlow.QueryValue(location, "state"));
        Assert.Equal("https://localhost/", OidcFlow.QueryValue(location, "iss"));
        Assert.Null(OidcFlow.QueryValue(location, "code"));
    }

    [Theory]
    [InlineData("token", "unsupported_response_type")]
    [InlineData("code id_token", "unsupported_response_type")]
    public async Task Only_the_code_flow_is_offered(string responseType, string error)
    {
        var url = OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge).Replace("response_type=code", "response_type=" + Uri.EscapeDataString(responseType), StringComparison.Ordinal);
        using var response = await browser.GetAsync(url);

        Assert.Equal(error, OidcFlow.QueryValue(response.Headers.Location!, "error"));
    }

    [Fact]
    public async Task A_scope_the_client_may_not_ask_for_is_refused()
    {
        using var response = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, scope: "openid store.tasks"));

        Assert.Equal("invalid_scope", OidcFlow.QueryValue(response.Headers.Location!, "error"));
    }

    [Fact]
    public async Task Without_a_session_the_person_signs_in_with_the_hint_prefilled_in_the_asked_language_and_comes_back_with_a_code()
    {
        var url = OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("login_hint", "kari.nordmann@example.no"), ("ui_locales", "nb")]);
        using var first = await browser.GetAsync(url);
        var login = first.Headers.Location!.OriginalString;
        Assert.StartsWith("/nb/login?returnUrl=%2Fconnect%2Fauthorize%3F", login, StringComparison.Ordinal);
        var page = await browser.GetPageAsync(login);
        Assert.Equal("kari.nordmann@example.no", page.QuerySelector("input[name='Input.Email']")!.GetAttribute("value"));

        var redirect = await flow.AuthorizeAsync(url);

        Assert.StartsWith(DevClients.EuRedirect + "?code=", redirect.ToString(), StringComparison.Ordinal);
        Assert.Equal("state-1", OidcFlow.QueryValue(redirect, "state"));
        Assert.Equal("https://localhost/", OidcFlow.QueryValue(redirect, "iss"));
    }

    [Fact]
    public async Task With_a_session_prompt_none_gives_a_code_and_prompt_login_asks_again()
    {
        await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge));

        using var silent = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("prompt", "none")]));
        Assert.NotNull(OidcFlow.QueryValue(silent.Headers.Location!, "code"));

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        using var again = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("prompt", "login")]));
        Assert.StartsWith("/en/login?", again.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("prompt", again.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("prompt", "login")]));
        Assert.NotNull(OidcFlow.QueryValue(redirect, "code"));
    }

    [Theory]
    [InlineData("0")] // "any sign-in since 1970 is fresh"
    [InlineData("99999999999")]
    [InlineData("CfDJ8-not-ours")]
    public async Task A_fresh_sign_in_marker_made_up_by_the_request_does_not_skip_prompt_login(string marker)
    {
        await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge));
        factory.Clock.Advance(TimeSpan.FromMinutes(2));

        using var forged = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge,
            extra: [("prompt", "login"), (AuthorizeEndpoint.LoginAfterParameter, marker)]));

        Assert.StartsWith("/en/login?", forged.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Null(OidcFlow.QueryValue(forged.Headers.Location!, "code"));
    }

    [Fact]
    public async Task A_real_marker_counts_only_for_its_own_client_and_state_and_not_after_half_an_hour()
    {
        await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge));
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        using var ask = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, state: "s-1", extra: [("prompt", "login")]));
        var returnUrl = new Uri(new Uri("https://localhost"), OidcFlow.QueryValue(ask.Headers.Location!, "returnUrl"));
        var marker = OidcFlow.QueryValue(returnUrl, AuthorizeEndpoint.LoginAfterParameter)!;
        await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, state: "s-1", extra: [("prompt", "login")]));

        // The marker of that round, carried into another state or another store's request, proves nothing.
        using var otherState = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, state: "s-2",
            extra: [("prompt", "login"), (AuthorizeEndpoint.LoginAfterParameter, marker)]));
        Assert.StartsWith("/en/login?", otherState.Headers.Location!.OriginalString, StringComparison.Ordinal);
        using var otherStore = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, clientId: DevClients.No,
            redirectUri: DevClients.NoRedirect, state: "s-1", extra: [("prompt", "login"), (AuthorizeEndpoint.LoginAfterParameter, marker)]));
        Assert.StartsWith("/en/login?", otherStore.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // Its own request, replayed within half an hour, still stands; later it does not.
        using var replay = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, state: "s-1",
            extra: [("prompt", "login"), (AuthorizeEndpoint.LoginAfterParameter, marker)]));
        Assert.NotNull(OidcFlow.QueryValue(replay.Headers.Location!, "code"));
        factory.Clock.Advance(TimeSpan.FromMinutes(20));
        using (await browser.GetAsync("/en/my-data"))
        {
            // keeps the session from its idle timeout
        }

        factory.Clock.Advance(TimeSpan.FromMinutes(11));
        using var stillSignedIn = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, state: "s-1"));
        Assert.NotNull(OidcFlow.QueryValue(stillSignedIn.Headers.Location!, "code"));
        using var late = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, state: "s-1",
            extra: [("prompt", "login"), (AuthorizeEndpoint.LoginAfterParameter, marker)]));
        Assert.StartsWith("/en/login?", late.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_old_sign_in_is_asked_again_when_max_age_has_passed()
    {
        await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge));
        factory.Clock.Advance(TimeSpan.FromMinutes(10));

        using var fresh = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("max_age", "3600")]));
        Assert.NotNull(OidcFlow.QueryValue(fresh.Headers.Location!, "code"));

        using var stale = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("max_age", "60")]));
        Assert.StartsWith("/en/login?", stale.Headers.Location!.OriginalString, StringComparison.Ordinal);

        using var staleSilent = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("max_age", "60"), ("prompt", "none")]));
        Assert.Equal("login_required", OidcFlow.QueryValue(staleSilent.Headers.Location!, "error"));

        // max_age=0 demands a sign-in every time, and still ends once the person has signed in.
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("max_age", "0")]));
        Assert.NotNull(OidcFlow.QueryValue(redirect, "code"));
    }

    [Fact]
    public async Task A_forged_id_token_hint_is_refused()
    {
        using var response = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("id_token_hint", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]));

        Assert.Equal("invalid_request", OidcFlow.QueryValue(response.Headers.Location!, "error"));
    }

    [Fact]
    public async Task An_id_token_hint_only_speaks_for_the_store_it_was_issued_to_and_only_as_an_id_token()
    {
        var euTokens = await flow.SignInToStoreAsync();
        var euIdToken = euTokens.GetProperty("id_token").GetString()!;
        var claims = OidcFlow.Payload(euIdToken);

        using var atOtherStore = await browser.GetAsync(OidcFlow.AuthorizeUrl(
            OidcFlow.Pkce().Challenge, clientId: DevClients.No, redirectUri: DevClients.NoRedirect, extra: [("id_token_hint", euIdToken)]));
        Assert.StartsWith(DevClients.NoRedirect, atOtherStore.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request", OidcFlow.QueryValue(atOtherStore.Headers.Location!, "error"));
        Assert.Null(OidcFlow.QueryValue(atOtherStore.Headers.Location!, "code"));

        // A back-channel logout token is signed with the same key and names the store, but it is no ID token.
        var logoutToken = await factory.Services.GetRequiredService<OidcTokenFactory>().CreateLogoutTokenAsync(
            DevClients.Eu, Guid.Parse(claims.GetProperty("sub").GetString()!), Guid.Parse(claims.GetProperty("sid").GetString()!), CancellationToken.None);
        using var logoutAsHint = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("id_token_hint", logoutToken)]));
        Assert.Equal("invalid_request", OidcFlow.QueryValue(logoutAsHint.Headers.Location!, "error"));

        using var atOwnStore = await browser.GetAsync(OidcFlow.AuthorizeUrl(OidcFlow.Pkce().Challenge, extra: [("id_token_hint", euIdToken)]));
        Assert.StartsWith(DevClients.EuRedirect, atOwnStore.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.NotNull(OidcFlow.QueryValue(atOwnStore.Headers.Location!, "code"));
    }

    [Fact]
    public async Task The_pages_csp_lets_a_sign_in_post_end_in_a_redirect_to_a_store()
    {
        // Chrome applies form-action to the redirects after a form POST: the confirm POST goes on to
        // /connect/authorize and then to the store. Add the stores' origins if form-action is ever set.
        using var response = await browser.GetAsync("/en/login");

        var csp = string.Join(';', response.Headers.GetValues("Content-Security-Policy"));
        Assert.DoesNotContain("form-action", csp, StringComparison.Ordinal);
    }

    [Fact]
    public void Impersonating_staff_are_refused_in_one_place()
    {
        var impersonated = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim("act", "{\"sub\":\"staff\"}")], "Portal"));
        var customer = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([], "Portal"));

        Assert.NotNull(PrivacyPortal.Features.Oidc.OidcSignInPolicy.RefusalFor(impersonated));
        Assert.Null(PrivacyPortal.Features.Oidc.OidcSignInPolicy.RefusalFor(customer));
    }
}
