using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>
/// A store's API as the stores will build it: ASP.NET Core with JwtBearer, Authority = our provider.
/// JwtBearer reads discovery and JWKS itself and checks lifetimes on the real clock, so the portal's
/// clock is set to real time here.
/// </summary>
public sealed class JwtBearerRelyingPartyTests : IAsyncLifetime, IDisposable
{
    // New keys sign 5 s after they are published here, instead of a day, so the clock stays near real time.
    private readonly PortalAppFactory portal = new PortalAppFactory().With("Oidc:KeyActivationDelay", "00:00:05");
    private WebApplication? storeApi;
    private HttpClient? storeClient;
    private string? expiredToken;

    public async Task InitializeAsync()
    {
        // An hour ago, to issue a token that is expired by now; then the clock catches up.
        portal.Clock.SetUtcNow(DateTimeOffset.UtcNow.AddHours(-1));
        portal.Start();
        expiredToken = await ClientTokenAsync();
        portal.Clock.SetUtcNow(DateTimeOffset.UtcNow);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.Authority = "https://localhost";
            // As docs/oidc.md tells every store: its own client id is the audience it accepts.
            o.Audience = DevClients.Eu;
            o.BackchannelHttpHandler = portal.Server.CreateHandler();
            o.MapInboundClaims = false;
            // Lets the test see a second rotation within seconds; stores keep the default.
            o.RefreshInterval = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddAuthorization();
        storeApi = builder.Build();
        // JwtBearer keeps honouring keys of its "last known good" configuration for an hour after they
        // leave JWKS; off here, so the test sees what the provider publishes rather than that cache.
        var manager = (Microsoft.IdentityModel.Tokens.BaseConfigurationManager)storeApi.Services
            .GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager!;
        manager.UseLastKnownGoodConfiguration = false;
        storeApi.UseAuthentication();
        storeApi.UseAuthorization();
        storeApi.MapGet("/orders", (HttpContext context) => context.User.FindFirst("client_id")?.Value).RequireAuthorization();
        await storeApi.StartAsync();
        storeClient = storeApi.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        storeClient?.Dispose();
        if (storeApi is not null)
        {
            await storeApi.DisposeAsync();
        }

        portal.Dispose();
    }

    public void Dispose() => portal.Dispose();

    [Fact]
    public async Task Accepts_our_access_token()
    {
        using var response = await CallAsync(await ClientTokenAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(DevClients.Eu, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refuses_a_tampered_token()
    {
        var token = await ClientTokenAsync();
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("store.tasks", "store.admin", StringComparison.Ordinal);

        using var response = await CallAsync($"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Refuses_an_expired_token()
    {
        using var response = await CallAsync(expiredToken!);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_real_token_the_provider_issued_to_the_other_store()
    {
        // Same issuer, same keys, a valid signature: only the audience tells innore.no's token apart.
        var other = await ClientTokenAsync(DevClients.No, DevClients.NoSecret);
        Assert.Equal(DevClients.No, OidcFlow.Payload(other).GetProperty("client_id").GetString());

        using var response = await CallAsync(other);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("audience", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_alg_none()
    {
        var token = await ClientTokenAsync();
        var header = Base64Url.EncodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}"u8);

        using var unsigned = await CallAsync($"{header}.{token.Split('.')[1]}.");

        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
    }

    [Fact]
    public async Task Refuses_a_token_signed_with_another_key_under_our_kid()
    {
        var token = await ClientTokenAsync();
        var parts = token.Split('.');
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = attacker.SignData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        using var response = await CallAsync($"{parts[0]}.{parts[1]}.{Base64Url.EncodeToString(signature)}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Refuses_hs256_keyed_with_our_public_key()
    {
        var token = await ClientTokenAsync();
        var keys = await portal.Services.GetRequiredService<SigningKeyStore>().GetAsync();
        var jwk = keys.AccessTokenKey.Jwk;
        var payload = token.Split('.')[1];
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"HS256\",\"kid\":\"{keys.AccessTokenKey.Id}\",\"typ\":\"at+jwt\"}}"));
        var secrets = new[]
        {
            Encoding.UTF8.GetBytes(JsonSerializer.Serialize(jwk)),
            [.. Base64Url.DecodeFromChars(jwk["x"]), .. Base64Url.DecodeFromChars(jwk["y"])],
            Encoding.UTF8.GetBytes(jwk["x"]),
        };

        foreach (var secret in secrets)
        {
            var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes($"{header}.{payload}"));
            using var response = await CallAsync($"{header}.{payload}.{Base64Url.EncodeToString(signature)}");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Keeps_accepting_tokens_across_a_key_rotation_and_drops_a_key_two_rotations_old()
    {
        var keys = portal.Services.GetRequiredService<SigningKeyStore>();
        var beforeRotation = await ClientTokenAsync();
        var firstKid = Kid(beforeRotation);
        using (var first = await CallAsync(beforeRotation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var second = (await keys.RotateAsync(SigningAlgorithms.Es256)).Published.First(k => k.Algorithm == SigningAlgorithms.Es256).Id;
        Assert.Equal(firstKid, Kid(await ClientTokenAsync()));
        // JwtBearer re-reads JWKS on its own schedule (12 h by default); the activation delay is longer than that.
        await StoreReadsJwksAsync(kids => kids.Contains(second));
        portal.Clock.Advance(TimeSpan.FromSeconds(6));

        var afterRotation = await ClientTokenAsync();
        Assert.Equal(second, Kid(afterRotation));
        using (var rotated = await CallAsync(afterRotation))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        using (var previous = await CallAsync(beforeRotation))
        {
            Assert.Equal(HttpStatusCode.OK, previous.StatusCode);
        }

        var third = (await keys.RotateAsync(SigningAlgorithms.Es256)).Published.First(k => k.Algorithm == SigningAlgorithms.Es256).Id;
        await StoreReadsJwksAsync(kids => kids.Contains(third));
        portal.Clock.Advance(TimeSpan.FromSeconds(6));
        var newest = await ClientTokenAsync();
        Assert.Equal(third, Kid(newest));
        await StoreReadsJwksAsync(kids => !kids.Contains(firstKid));

        using (var accepted = await CallAsync(newest))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using (var stillPrevious = await CallAsync(afterRotation))
        {
            Assert.Equal(HttpStatusCode.OK, stillPrevious.StatusCode);
        }

        using var tooOld = await CallAsync(beforeRotation);
        Assert.Equal(HttpStatusCode.Unauthorized, tooOld.StatusCode);
    }

    private static string Kid(string token) => OidcFlow.Header(token).GetProperty("kid").GetString()!;

    /// <summary>Lets the store's JwtBearer fetch JWKS again, as its periodic refresh would, until it sees what is expected.</summary>
    private async Task StoreReadsJwksAsync(Func<IReadOnlyList<string>, bool> expected)
    {
        var manager = storeApi!.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<JwtBearerOptions>>()
            .Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager!;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            manager.RequestRefresh();
            var configuration = await manager.GetConfigurationAsync(CancellationToken.None);
            if (expected([.. configuration.SigningKeys.Select(k => k.KeyId)]))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The store never saw the expected keys in JWKS.");
            await Task.Delay(300);
        }
    }

    private async Task<HttpResponseMessage> CallAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await storeClient!.SendAsync(request);
    }

    private async Task<string> ClientTokenAsync(string clientId = DevClients.Eu, string secret = DevClients.EuSecret)
    {
        using var client = portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "store.tasks" }),
        };
        request.Headers.Authorization = OidcFlow.Basic(clientId, secret);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await OidcFlow.JsonAsync(response)).GetProperty("access_token").GetString()!;
    }
}
