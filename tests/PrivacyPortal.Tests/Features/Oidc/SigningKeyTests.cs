using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Oidc;

public sealed class SigningKeyTests : IDisposable
{
    private readonly PortalAppFactory factory = new();
    private readonly CookieAwareClient client;

    public SigningKeyTests()
    {
        client = factory.CreateCookieAwareClient();
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task Keys_are_stored_encrypted_and_published_without_private_parts()
    {
        var jwks = await JwksAsync();
        var rows = await WithDbAsync(db => db.Set<OidcSigningKey>().AsNoTracking().ToListAsync());

        Assert.Equal(["ES256", "RS256"], rows.Select(r => r.Algorithm).Order());
        Assert.Equal(rows.Select(r => r.Id).Order(), jwks.Select(k => k.GetProperty("kid").GetString()!).Order());
        foreach (var key in jwks)
        {
            Assert.False(key.TryGetProperty("d", out _));
            Assert.False(key.TryGetProperty("p", out _));
            Assert.Equal("sig", key.GetProperty("use").GetString());
        }

        // Data Protection's payloads start with its magic header (0x09F0C9F0), not with a DER private key.
        Assert.All(rows, r => Assert.Equal([0x09, 0xF0, 0xC9, 0xF0], Convert.FromBase64String(r.ProtectedKey).Take(4)));
    }

    [Fact]
    public async Task Keys_rotate_on_schedule_publishing_the_next_key_a_day_before_it_signs_and_keeping_the_previous_one()
    {
        var keys = factory.Services.GetRequiredService<SigningKeyStore>();
        var first = (await keys.GetAsync()).AccessTokenKey.Id;

        factory.Clock.Advance(TimeSpan.FromDays(28));
        await keys.ReloadAsync(rotateIfDue: true, CancellationToken.None);
        Assert.Equal(2, (await JwksAsync()).Length);

        factory.Clock.Advance(TimeSpan.FromDays(1));
        var set = await keys.ReloadAsync(rotateIfDue: true, CancellationToken.None);
        var second = set.Published.First(k => k.Algorithm == SigningAlgorithms.Es256).Id;
        Assert.NotEqual(first, second);
        Assert.Equal(first, set.AccessTokenKey.Id);
        Assert.Equal(4, (await JwksAsync()).Length);

        factory.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(second, (await keys.GetAsync()).AccessTokenKey.Id);
        Assert.Equal(4, (await JwksAsync()).Length);

        factory.Clock.Advance(TimeSpan.FromDays(30));
        await keys.ReloadAsync(rotateIfDue: true, CancellationToken.None);
        factory.Clock.Advance(TimeSpan.FromDays(1));
        var third = await keys.GetAsync();
        Assert.NotEqual(second, third.AccessTokenKey.Id);
        var kids = (await JwksAsync()).Select(k => k.GetProperty("kid").GetString()).ToList();
        Assert.Equal(4, kids.Count);
        Assert.Contains(second, kids);
        Assert.DoesNotContain(first, kids);
    }

    [Fact]
    public async Task Instances_rotating_at_once_add_one_key_per_algorithm()
    {
        await factory.Services.GetRequiredService<SigningKeyStore>().GetAsync();
        // Each store stands for another instance: its own memory and lock, the same database.
        var instances = Enumerable.Range(0, 4).Select(_ => ActivatorUtilities.CreateInstance<SigningKeyStore>(factory.Services)).ToList();
        try
        {
            factory.Clock.Advance(TimeSpan.FromDays(29));

            await Task.WhenAll(instances.Select(i => i.ReloadAsync(rotateIfDue: true, CancellationToken.None)));

            var rows = await WithDbAsync(db => db.Set<OidcSigningKey>().AsNoTracking().ToListAsync());
            Assert.Equal(2, rows.Count(r => r.Algorithm == SigningAlgorithms.Es256));
            Assert.Equal(2, rows.Count(r => r.Algorithm == SigningAlgorithms.Rs256));
        }
        finally
        {
            instances.ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public void Jwks_keeps_the_key_that_signed_before_the_current_one_even_when_a_twin_was_made()
    {
        var day = TimeSpan.FromDays(1);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var old = Key("old", start);
        using var previous = Key("previous", start.AddDays(30));
        using var twinA = Key("twin-a", start.AddDays(60));
        using var twinB = Key("twin-b", start.AddDays(60).AddMilliseconds(5));
        using var rsa = Key("rsa", start, SigningAlgorithms.Rs256);

        // Two instances rotated at once, before rotation took a lock: twin-b signs, and previous's tokens are still out there.
        var set = new SigningKeySet([twinB, twinA, previous, old, rsa], start.AddDays(62), day);

        Assert.Equal("twin-b", set.AccessTokenKey.Id);
        Assert.Equal(["twin-b", "twin-a", "previous"], set.Published.Where(k => k.Algorithm == SigningAlgorithms.Es256).Select(k => k.Id));

        // The ordinary case: the current key and the one before it.
        var ordinary = new SigningKeySet([twinA, previous, old, rsa], start.AddDays(62), day);
        Assert.Equal(["twin-a", "previous"], ordinary.Published.Where(k => k.Algorithm == SigningAlgorithms.Es256).Select(k => k.Id));
    }

    private static SigningKey Key(string id, DateTimeOffset createdAt, string algorithm = SigningAlgorithms.Es256) =>
        new(id, algorithm, createdAt, SigningKey.Generate(algorithm));

    private async Task<JsonElement[]> JwksAsync()
    {
        using var response = await client.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await OidcFlow.JsonAsync(response)).GetProperty("keys").EnumerateArray()];
    }

    private async Task<T> WithDbAsync<T>(Func<PrivacyPortal.Data.PortalDbContext, Task<T>> query)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PrivacyPortal.Data.PortalDbContext>());
    }
}
