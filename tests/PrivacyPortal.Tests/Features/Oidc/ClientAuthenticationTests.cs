using System.Net;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

/// <summary>A wrong client secret costs a PBKDF2 run, so those runs are limited; a store whose secret was verified is not.</summary>
public sealed class ClientAuthenticationTests : IDisposable
{
    private PortalAppFactory? factory;
    private CookieAwareClient? browser;

    public void Dispose()
    {
        browser?.Dispose();
        factory?.Dispose();
    }

    [Fact]
    public async Task Wrong_secrets_from_one_address_are_throttled_while_a_verified_store_keeps_getting_tokens()
    {
        var flow = Start(perIp: 3, perClient: 1000);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(flow, DevClients.Eu, DevClients.EuSecret)).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await TokenAsync(flow, DevClients.Eu, "wrong-1"));
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await TokenAsync(flow, DevClients.Eu, "wrong-2"));

        using (var throttled = await flow.TokenAsync(DevClients.Eu, "wrong-3", new() { ["grant_type"] = "client_credentials" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.Equal("60", throttled.Headers.GetValues("Retry-After").Single());
            Assert.Equal("invalid_client", (await OidcFlow.JsonAsync(throttled)).GetProperty("error").GetString());
        }

        // A secret refused a moment ago is refused again without another PBKDF2 run.
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_client"), await TokenAsync(flow, DevClients.Eu, "wrong-1"));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(flow, DevClients.Eu, DevClients.EuSecret)).Status);
        // innore.no's secret has not been verified here yet: that check costs PBKDF2 and waits, at every endpoint.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenAsync(flow, DevClients.No, DevClients.NoSecret)).Status);
        using (var introspection = await PostAsync("/connect/introspect", DevClients.No, DevClients.NoSecret, new() { ["token"] = "x" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, introspection.StatusCode);
        }

        using (var revocation = await PostAsync("/connect/revoke", DevClients.No, DevClients.NoSecret, new() { ["token"] = "x" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, revocation.StatusCode);
        }

        factory!.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(flow, DevClients.No, DevClients.NoSecret)).Status);
    }

    [Fact]
    public async Task Wrong_secrets_for_one_client_from_many_addresses_are_throttled_per_client()
    {
        var flow = Start(perIp: 1000, perClient: 2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(flow, DevClients.No, "wrong-1")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(flow, DevClients.No, "wrong-2")).Status);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenAsync(flow, DevClients.No, "wrong-3")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenAsync(flow, DevClients.No, DevClients.NoSecret)).Status);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(flow, DevClients.Eu, DevClients.EuSecret)).Status);
    }

    [Fact]
    public async Task A_verified_secret_is_taken_on_its_hash_for_ten_minutes_then_checked_in_full_again()
    {
        var flow = Start(perIp: 1, perClient: 1000);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(flow, DevClients.Eu, DevClients.EuSecret)).Status);

        factory!.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(flow, DevClients.Eu, "wrong-1")).Status);
        // This minute's one full check is spent, and the verified secret needs none.
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(flow, DevClients.Eu, DevClients.EuSecret)).Status);

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(flow, DevClients.Eu, "wrong-2")).Status);
        // Eleven minutes after it was verified, the secret needs a full check again, and none is left this minute.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await TokenAsync(flow, DevClients.Eu, DevClients.EuSecret)).Status);
    }

    private OidcFlow Start(int perIp, int perClient)
    {
        factory = OidcFlow.NewPortal()
            .With("Oidc:ClientSecretChecksPerIpPerMinute", perIp.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Oidc:ClientSecretChecksPerClientPerMinute", perClient.ToString(System.Globalization.CultureInfo.InvariantCulture));
        browser = factory.CreateCookieAwareClient();
        return new OidcFlow(factory, browser);
    }

    private static async Task<(HttpStatusCode Status, string? Error)> TokenAsync(OidcFlow flow, string clientId, string secret)
    {
        using var response = await flow.TokenAsync(clientId, secret, new() { ["grant_type"] = "client_credentials" });
        var error = response.IsSuccessStatusCode ? null : (await OidcFlow.JsonAsync(response)).GetProperty("error").GetString();
        return (response.StatusCode, error);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string clientId, string secret, Dictionary<string, string> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = OidcFlow.Basic(clientId, secret);
        return await browser!.Http.SendAsync(request);
    }
}
