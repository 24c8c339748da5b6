using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Web;
using PrivacyPortal.Tests.Features.Oidc;

namespace PrivacyPortal.Tests.ScaleOut;

/// <summary>
/// Signing keys rotate in the database, and each instance keeps the keys it loaded in memory. A store
/// token signed by a key another instance rotated in must still be accepted: the store API's
/// validation re-reads the keys on a key it does not know, instead of refusing the store.
/// </summary>
public sealed class StoreTokenKeyRotationTests : IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    [Fact]
    public async Task A_store_token_signed_with_a_key_the_other_instance_rotated_in_is_accepted_and_a_forged_kid_is_not()
    {
        using var a = Instance(seed: true).Start();
        using var b = Instance(seed: false).Start();
        using var store = new HttpClient();

        var before = await TokenAsync(store, a);
        using (var accepted = await TasksAsync(store, b, before))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // A second later B rotates; A does not hear of it (its own key set has no pending key, so it has no reason to look).
        b.Clock.Advance(TimeSpan.FromSeconds(1));
        var rotated = (await b.Services.GetRequiredService<SigningKeyStore>().RotateAsync(SigningAlgorithms.Es256))
            .Published.First(k => k.Algorithm == SigningAlgorithms.Es256).Id;
        var aKeys = await a.Services.GetRequiredService<SigningKeyStore>().GetAsync();
        Assert.DoesNotContain(aKeys.Published, k => k.Id == rotated);
        a.Clock.Advance(TimeSpan.FromSeconds(6));
        b.Clock.Advance(TimeSpan.FromSeconds(6));

        var fromB = await TokenAsync(store, b);
        Assert.Equal(rotated, new JsonWebToken(fromB).Kid);
        using (var onA = await TasksAsync(store, a, fromB))
        {
            Assert.Equal(HttpStatusCode.OK, onA.StatusCode);
        }

        Assert.Contains((await a.Services.GetRequiredService<SigningKeyStore>().GetAsync()).Published, k => k.Id == rotated);

        // A token naming a key nobody has is refused in the API's own 401 shape.
        var parts = fromB.Split('.');
        var header = JsonSerializer.Deserialize<Dictionary<string, object>>(Base64UrlDecode(parts[0]))!;
        header["kid"] = "no-such-key";
        var forged = $"{Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(header))}.{parts[1]}.{parts[2]}";
        using var refused = await TasksAsync(store, a, forged);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _database.Dispose();

    private PortalAppFactory Instance(bool seed) => TwoPortals.Create(_database, smtp: null, seed)
        .With("Portal:PublicBaseUrl", TwoPortals.PublicBaseUrl)
        .With("Oidc:KeyActivationDelay", "00:00:05");

    private static async Task<string> TokenAsync(HttpClient store, PortalAppFactory instance)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TwoPortals.On(instance, "/connect/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "store.tasks" }),
        };
        request.Headers.Authorization = OidcFlow.Basic(DevClients.Eu, DevClients.EuSecret);
        using var response = await store.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await OidcFlow.JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private static Task<HttpResponseMessage> TasksAsync(HttpClient store, PortalAppFactory instance, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, TwoPortals.On(instance, "/api/v1/tasks"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return store.SendAsync(request);
    }

    private static byte[] Base64UrlDecode(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);

    private static string Base64UrlEncode(byte[] value) => System.Buffers.Text.Base64Url.EncodeToString(value);
}
