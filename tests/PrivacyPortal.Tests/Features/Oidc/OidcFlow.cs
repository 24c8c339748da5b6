using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>The development clients of appsettings.Development.json, which the test app runs with.</summary>
internal static class DevClients
{
    public const string Eu = "innore-eu";
    public const string EuSecret = "dev-secret-innore-eu-change-me";
    public const string EuRedirect = "http://localhost:5101/signin-oidc";
    public const string EuPostLogout = "http://localhost:5101/signout-callback-oidc";
    public const string No = "innore-no";
    public const string NoSecret = "dev-secret-innore-no-change-me";
    public const string NoRedirect = "http://localhost:5102/signin-oidc";
}

/// <summary>Drives the provider the way a store and a browser would: authorize, sign in by magic link, redeem.</summary>
internal sealed partial class OidcFlow(PortalAppFactory factory, CookieAwareClient browser)
{
    public PortalAppFactory Factory { get; } = factory;

    /// <summary>
    /// A portal whose sign-in mails stay readable in the outbox after delivery, where these tests read
    /// the magic link; with <paramref name="smtp"/> the mails are also delivered to that server.
    /// </summary>
    public static PortalAppFactory NewPortal(bool useKestrel = false, SmtpTestServer? smtp = null) =>
        new PortalAppFactory(smtp, useKestrel).With("Email:KeepSecretsAfterSending", "true");

    public CookieAwareClient Browser { get; } = browser;

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizeUrl(
        string challenge,
        string clientId = DevClients.Eu,
        string redirectUri = DevClients.EuRedirect,
        string scope = "openid profile email offline_access",
        string? state = "state-1",
        string? nonce = "nonce-1",
        string? method = "S256",
        params (string Name, string Value)[] extra)
    {
        var query = new List<KeyValuePair<string, string?>>
        {
            new("response_type", "code"),
            new("client_id", clientId),
            new("redirect_uri", redirectUri),
            new("scope", scope),
            new("state", state),
            new("nonce", nonce),
            new("code_challenge", challenge),
            new("code_challenge_method", method),
        };
        query.AddRange(extra.Select(e => new KeyValuePair<string, string?>(e.Name, e.Value)));
        return "/connect/authorize?" + string.Join('&', query.Where(q => q.Value is not null).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value!)}"));
    }

    /// <summary>Signs in at the portal with the magic link, starting from <paramref name="loginPath"/>; returns the confirm POST's answer.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string email, string loginPath = "/en/login")
    {
        var before = await OutboxIdsAsync(email);
        var form = await HtmlForm.LoadAsync(Browser, loginPath, "form.stack");
        form.Set("Input.Email", email);
        using (var sent = await form.SubmitAsync())
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        }

        var link = await MagicLinkAsync(email, before);
        var confirm = await HtmlForm.LoadAsync(Browser, link, "form.stack");
        return await confirm.SubmitAsync();
    }

    /// <summary>Runs an authorization request to its end: signs in with <paramref name="email"/> when asked to; returns the final redirect to the store.</summary>
    public async Task<Uri> AuthorizeAsync(string authorizeUrl, string email = "kari.nordmann@example.no")
    {
        using var first = await Browser.GetAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var location = first.Headers.Location!;
        if (location.OriginalString.Contains("/login?", StringComparison.Ordinal))
        {
            using var signedIn = await SignInAsync(email, location.OriginalString);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            using var back = await Browser.FollowRedirectAsync(signedIn);
            Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
            location = back.Headers.Location!;
        }

        return location;
    }

    public static string? QueryValue(Uri uri, string name) =>
        System.Web.HttpUtility.ParseQueryString(uri.IsAbsoluteUri ? uri.Query : uri.OriginalString.Split('?', 2).ElementAtOrDefault(1) ?? "")[name];

    /// <summary>Authorizes and redeems: the token response of a fresh sign-in.</summary>
    public async Task<JsonElement> SignInToStoreAsync(string scope = "openid profile email offline_access", string email = "kari.nordmann@example.no", string nonce = "nonce-1")
    {
        var (verifier, challenge) = Pkce();
        var redirect = await AuthorizeAsync(AuthorizeUrl(challenge, scope: scope, nonce: nonce), email);
        using var response = await RedeemAsync(QueryValue(redirect, "code")!, verifier);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    public Task<HttpResponseMessage> RedeemAsync(string code, string? verifier, string redirectUri = DevClients.EuRedirect, string clientId = DevClients.Eu, string secret = DevClients.EuSecret) =>
        TokenAsync(clientId, secret, new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
        });

    public async Task<HttpResponseMessage> TokenAsync(string clientId, string secret, Dictionary<string, string?> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(fields.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string>(f.Key, f.Value!))),
        };
        request.Headers.Authorization = Basic(clientId, secret);
        return await Browser.Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> UserInfoAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await Browser.Http.SendAsync(request);
    }

    public static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static JsonElement Payload(string jwt)
    {
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]));
        return document.RootElement.Clone();
    }

    public static JsonElement Header(string jwt)
    {
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0]));
        return document.RootElement.Clone();
    }

    public async Task<T> WithDbAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    private Task<List<Guid>> OutboxIdsAsync(string email) =>
        WithDbAsync(db => db.Outbox.Where(m => m.To == email).Select(m => m.Id).ToListAsync());

    private async Task<string> MagicLinkAsync(string email, List<Guid> before)
    {
        var body = await WithDbAsync(db => db.Outbox.AsNoTracking().Where(m => m.To == email && !before.Contains(m.Id)).Select(m => m.TextBody).SingleAsync());
        return ConfirmLink().Match(body) is { Success: true } match ? match.Value : throw new InvalidOperationException("No sign-in link in: " + body);
    }

    [GeneratedRegex(@"/(en|nb|et)/login/confirm\?token=[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();
}
