using System.Net;
using System.Net.Http.Headers;
using System.Text;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

public sealed class TokenEndpointTests : IDisposable
{
    private readonly PortalAppFactory factory = OidcFlow.NewPortal();
    private readonly CookieAwareClient browser;
    private readonly OidcFlow flow;

    public TokenEndpointTests()
    {
        browser = factory.CreateCookieAwareClient();
        flow = new OidcFlow(factory, browser);
    }

    public void Dispose()
    {
        browser.Dispose();
        factory.Dispose();
    }

    private async Task<(string Code, string Verifier)> CodeAsync(string scope = "openid profile email offline_access")
    {
        var (verifier, challenge) = OidcFlow.Pkce();
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(challenge, scope: scope));
        return (OidcFlow.QueryValue(redirect, "code")!, verifier);
    }

    [Fact]
    public async Task A_code_gives_an_id_token_with_the_claims_a_store_checks_and_an_es256_access_token()
    {
        var (code, verifier) = await CodeAsync();
        using var response = await flow.RedeemAsync(code, verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await OidcFlow.JsonAsync(response);

        var idToken = body.GetProperty("id_token").GetString()!;
        var header = OidcFlow.Header(idToken);
        var claims = OidcFlow.Payload(idToken);
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.False(string.IsNullOrEmpty(header.GetProperty("kid").GetString()));
        Assert.Equal("https://localhost/", claims.GetProperty("iss").GetString());
        Assert.Equal(DevClients.Eu, claims.GetProperty("aud").GetString());
        Assert.Equal("nonce-1", claims.GetProperty("nonce").GetString());
        // Signed in by following the link in the mail.
        Assert.Equal(["magic_link"], claims.GetProperty("amr").EnumerateArray().Select(a => a.GetString()));
        var now = factory.Clock.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal(now, claims.GetProperty("iat").GetInt64());
        Assert.Equal(now + 300, claims.GetProperty("exp").GetInt64());
        Assert.Equal(now, claims.GetProperty("auth_time").GetInt64());
        var kari = await flow.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Users, u => u.Email == "kari.nordmann@example.no"));
        Assert.Equal(kari.Id.ToString(), claims.GetProperty("sub").GetString());

        var access = body.GetProperty("access_token").GetString()!;
        Assert.Equal("ES256", OidcFlow.Header(access).GetProperty("alg").GetString());
        Assert.Equal("at+jwt", OidcFlow.Header(access).GetProperty("typ").GetString());
        var accessClaims = OidcFlow.Payload(access);
        Assert.Equal(["https://localhost/api", DevClients.Eu], accessClaims.GetProperty("aud").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(DevClients.Eu, accessClaims.GetProperty("client_id").GetString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("refresh_token").GetString()));

        using var userInfo = await flow.UserInfoAsync(access);
        var info = await OidcFlow.JsonAsync(userInfo);
        Assert.Equal(kari.Id.ToString(), info.GetProperty("sub").GetString());
        Assert.Equal("kari.nordmann@example.no", info.GetProperty("email").GetString());
        Assert.Equal("Kari Nordmann", info.GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_same_person_has_the_same_sub_at_both_stores()
    {
        var eu = await flow.SignInToStoreAsync();
        var (verifier, challenge) = OidcFlow.Pkce();
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(challenge, clientId: DevClients.No, redirectUri: DevClients.NoRedirect));
        using var response = await flow.RedeemAsync(OidcFlow.QueryValue(redirect, "code")!, verifier, DevClients.NoRedirect, DevClients.No, DevClients.NoSecret);
        var no = await OidcFlow.JsonAsync(response);

        var euClaims = OidcFlow.Payload(eu.GetProperty("id_token").GetString()!);
        var noClaims = OidcFlow.Payload(no.GetProperty("id_token").GetString()!);
        Assert.Equal(euClaims.GetProperty("sub").GetString(), noClaims.GetProperty("sub").GetString());
        Assert.Equal(DevClients.No, noClaims.GetProperty("aud").GetString());
    }

    [Theory]
    [InlineData("challenge")] // plain downgrade: the challenge itself as verifier
    [InlineData(null)] // no verifier at all
    [InlineData("wrong")]
    public async Task A_code_without_the_matching_s256_verifier_is_refused(string? kind)
    {
        var (verifier, challenge) = OidcFlow.Pkce();
        var redirect = await flow.AuthorizeAsync(OidcFlow.AuthorizeUrl(challenge));
        var code = OidcFlow.QueryValue(redirect, "code")!;
        var presented = kind switch
        {
            "challenge" => challenge,
            "wrong" => OidcFlow.Pkce().Verifier,
            _ => null,
        };

        using var response = await flow.RedeemAsync(code, presented);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        // A missing verifier is a missing parameter to OpenIddict (invalid_request); a wrong one is invalid_grant.
        Assert.Equal(kind is null ? "invalid_request" : "invalid_grant", (await OidcFlow.JsonAsync(response)).GetProperty("error").GetString());
        using var rightful = await flow.RedeemAsync(code, verifier);
        Assert.Equal(HttpStatusCode.OK, rightful.StatusCode);
    }

    [Fact]
    public async Task A_code_is_refused_with_another_redirect_uri_another_client_or_after_60_seconds()
    {
        var (code, verifier) = await CodeAsync();
        using (var otherRedirect = await flow.RedeemAsync(code, verifier, redirectUri: DevClients.EuRedirect + "/"))
        {
            Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(otherRedirect)).GetProperty("error").GetString());
        }

        using (var otherClient = await flow.RedeemAsync(code, verifier, DevClients.NoRedirect, DevClients.No, DevClients.NoSecret))
        {
            Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(otherClient)).GetProperty("error").GetString());
        }

        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        using var late = await flow.RedeemAsync(code, verifier);
        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(late)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_reused_code_is_refused_and_revokes_what_the_first_use_issued()
    {
        var (code, verifier) = await CodeAsync();
        using var first = await flow.RedeemAsync(code, verifier);
        var tokens = await OidcFlow.JsonAsync(first);
        using (var before = await flow.UserInfoAsync(tokens.GetProperty("access_token").GetString()!))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var second = await flow.RedeemAsync(code, verifier);

        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(second)).GetProperty("error").GetString());
        using var after = await flow.UserInfoAsync(tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("invalid_token", after.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var refresh = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString() });
        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(refresh)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Of_many_parallel_redemptions_of_one_code_exactly_one_succeeds()
    {
        var (code, verifier) = await CodeAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => flow.RedeemAsync(code, verifier)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(11, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_revokes_the_family()
    {
        var tokens = await flow.SignInToStoreAsync();
        var first = tokens.GetProperty("refresh_token").GetString()!;

        using var rotated = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = first });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var next = await OidcFlow.JsonAsync(rotated);
        var second = next.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(first, second);
        Assert.Equal(tokens.GetProperty("scope").GetString(), next.GetProperty("scope").GetString());

        using var reuse = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = first });
        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(reuse)).GetProperty("error").GetString());

        using var afterReuse = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = second });
        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(afterReuse)).GetProperty("error").GetString());
        using var userInfo = await flow.UserInfoAsync(next.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
    }

    [Fact]
    public async Task Of_many_parallel_refreshes_with_one_token_exactly_one_succeeds()
    {
        var tokens = await flow.SignInToStoreAsync();
        var refresh = tokens.GetProperty("refresh_token").GetString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Another_store_cannot_use_a_refresh_token()
    {
        var tokens = await flow.SignInToStoreAsync();

        using var response = await flow.TokenAsync(DevClients.No, DevClients.NoSecret, new() { ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.GetProperty("refresh_token").GetString() });

        Assert.Equal("invalid_grant", (await OidcFlow.JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Client_credentials_work_with_basic_and_post_but_not_both_nor_a_wrong_secret()
    {
        using var basic = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "client_credentials", ["scope"] = "store.tasks" });
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        var token = (await OidcFlow.JsonAsync(basic)).GetProperty("access_token").GetString()!;
        Assert.Equal("store.tasks", OidcFlow.Payload(token).GetProperty("scope").GetString());
        Assert.Equal(DevClients.Eu, OidcFlow.Payload(token).GetProperty("client_id").GetString());

        using var post = await browser.Http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = DevClients.No, ["client_secret"] = DevClients.NoSecret,
        }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        using var both = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_secret"] = DevClients.EuSecret }),
        };
        both.Headers.Authorization = OidcFlow.Basic(DevClients.Eu, DevClients.EuSecret);
        using var bothResponse = await browser.Http.SendAsync(both);
        Assert.Equal(HttpStatusCode.BadRequest, bothResponse.StatusCode);

        using var wrong = await flow.TokenAsync(DevClients.Eu, "not-the-secret", new() { ["grant_type"] = "client_credentials" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("invalid_client", (await OidcFlow.JsonAsync(wrong)).GetProperty("error").GetString());
        Assert.Equal("Basic", wrong.Headers.WwwAuthenticate.First().Scheme);

        using var badScope = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "client_credentials", ["scope"] = "openid" });
        Assert.Equal("invalid_scope", (await OidcFlow.JsonAsync(badScope)).GetProperty("error").GetString());

        using var badGrant = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "password" });
        Assert.Equal("unsupported_grant_type", (await OidcFlow.JsonAsync(badGrant)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_client_token_is_not_a_persons_token_at_userinfo()
    {
        using var response = await flow.TokenAsync(DevClients.Eu, DevClients.EuSecret, new() { ["grant_type"] = "client_credentials" });
        var token = (await OidcFlow.JsonAsync(response)).GetProperty("access_token").GetString()!;

        using var userInfo = await flow.UserInfoAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, userInfo.StatusCode);
    }

    [Fact]
    public async Task Userinfo_answers_post_and_the_privacy_scope_with_the_policy_revision()
    {
        var tokens = await flow.SignInToStoreAsync(scope: "openid privacy");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/userinfo")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["access_token"] = tokens.GetProperty("access_token").GetString()! }),
        };

        using var response = await browser.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await OidcFlow.JsonAsync(response);
        Assert.False(body.TryGetProperty("email", out _));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("privacy").GetProperty("policy_revision").GetString()));
        Assert.False(tokens.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Introspection_and_revocation_need_client_authentication_and_see_only_the_clients_own_tokens()
    {
        var tokens = await flow.SignInToStoreAsync();
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        using (var anonymous = await browser.Http.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = access })))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        Assert.True((await IntrospectAsync(DevClients.Eu, DevClients.EuSecret, access)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectAsync(DevClients.Eu, DevClients.EuSecret, refresh)).GetProperty("active").GetBoolean());
        Assert.False((await IntrospectAsync(DevClients.No, DevClients.NoSecret, access)).GetProperty("active").GetBoolean());

        using (var revoke = await PostAsync("/connect/revoke", DevClients.Eu, DevClients.EuSecret, access))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        Assert.False((await IntrospectAsync(DevClients.Eu, DevClients.EuSecret, access)).GetProperty("active").GetBoolean());
        Assert.True((await IntrospectAsync(DevClients.Eu, DevClients.EuSecret, refresh)).GetProperty("active").GetBoolean());

        using (var revokeRefresh = await PostAsync("/connect/revoke", DevClients.Eu, DevClients.EuSecret, refresh))
        {
            Assert.Equal(HttpStatusCode.OK, revokeRefresh.StatusCode);
        }

        Assert.False((await IntrospectAsync(DevClients.Eu, DevClients.EuSecret, refresh)).GetProperty("active").GetBoolean());
        using var unknown = await PostAsync("/connect/revoke", DevClients.Eu, DevClients.EuSecret, "no-such-token");
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
    }

    private async Task<System.Text.Json.JsonElement> IntrospectAsync(string clientId, string secret, string token)
    {
        using var response = await PostAsync("/connect/introspect", clientId, secret, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await OidcFlow.JsonAsync(response);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string clientId, string secret, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return await browser.Http.SendAsync(request);
    }
}
