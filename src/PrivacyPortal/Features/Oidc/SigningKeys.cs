using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Oidc;

public static class SigningAlgorithms
{
    /// <summary>ID tokens and logout tokens: OIDC Core requires every provider to offer RS256.</summary>
    public const string Rs256 = "RS256";

    /// <summary>Access tokens: an ES256 signature costs a fraction of an RSA one, and JwtBearer validates it.</summary>
    public const string Es256 = "ES256";

    public static readonly IReadOnlyList<string> All = [Rs256, Es256];
}

/// <summary>One key, ready to sign (through IdentityModel, which OpenIddict signs with too) and to be published.</summary>
public sealed class SigningKey : IDisposable
{
    private readonly byte[] pkcs8;

    internal SigningKey(string id, string algorithm, DateTimeOffset createdAt, byte[] pkcs8PrivateKey)
    {
        Id = id;
        Algorithm = algorithm;
        CreatedAt = createdAt;
        pkcs8 = pkcs8PrivateKey;
        using var key = Create();
        if (key is RSA rsa)
        {
            var parameters = rsa.ExportParameters(includePrivateParameters: false);
            PublicKey = new RsaSecurityKey(parameters) { KeyId = id };
            Jwk = new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = algorithm, ["kid"] = id,
                ["n"] = Base64Url.EncodeToString(parameters.Modulus), ["e"] = Base64Url.EncodeToString(parameters.Exponent),
            };
        }
        else
        {
            var parameters = ((ECDsa)key).ExportParameters(includePrivateParameters: false);
            var publicEc = ECDsa.Create(parameters);
            PublicKey = new ECDsaSecurityKey(publicEc) { KeyId = id };
            Jwk = new Dictionary<string, string>
            {
                ["kty"] = "EC", ["use"] = "sig", ["alg"] = algorithm, ["kid"] = id, ["crv"] = "P-256",
                ["x"] = Base64Url.EncodeToString(parameters.Q.X), ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
            };
        }
    }

    public string Id { get; }

    public string Algorithm { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The public half, for validating our own tokens.</summary>
    public SecurityKey PublicKey { get; }

    /// <summary>The public JWK members, in the order they are published.</summary>
    public IReadOnlyDictionary<string, string> Jwk { get; }

    /// <summary>The private key as IdentityModel signing credentials, for the tokens OpenIddict writes.</summary>
    public SigningCredentials Credentials => credentials ??= new SigningCredentials(
        Algorithm == SigningAlgorithms.Rs256
            ? new RsaSecurityKey((RSA)Create()) { KeyId = Id }
            : new ECDsaSecurityKey((ECDsa)Create()) { KeyId = Id },
        Algorithm);

    private SigningCredentials? credentials;

    public void Dispose()
    {
        switch (credentials?.Key)
        {
            case RsaSecurityKey { Rsa: { } rsa }:
                rsa.Dispose();
                break;
            case ECDsaSecurityKey { ECDsa: { } ecdsa }:
                ecdsa.Dispose();
                break;
        }
    }

    internal static byte[] Generate(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm == SigningAlgorithms.Rs256 ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKey();
    }

    private AsymmetricAlgorithm Create()
    {
        AsymmetricAlgorithm key = Algorithm == SigningAlgorithms.Rs256 ? RSA.Create() : ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return key;
    }
}

/// <summary>
/// The keys in force. Per algorithm: the current key signs; a newer key is published but not yet
/// used until it is <see cref="OidcOptions.KeyActivationDelay"/> old, so every store has fetched it
/// before the first token names it; the key that signed before the current one (and any key made
/// between the two) stays published so its tokens keep validating. Anything older has left JWKS.
/// </summary>
public sealed class SigningKeySet
{
    internal SigningKeySet(IReadOnlyList<SigningKey> newestFirst, DateTimeOffset now, TimeSpan activationDelay)
    {
        var published = new List<SigningKey>();
        var nextActivation = DateTimeOffset.MaxValue;
        foreach (var algorithm in SigningAlgorithms.All)
        {
            var keys = newestFirst.Where(k => k.Algorithm == algorithm).ToList();
            // The only key (a new installation) signs at once; otherwise a key signs once it is old enough.
            var currentIndex = keys.FindIndex(k => k.CreatedAt + activationDelay <= now);
            if (currentIndex < 0)
            {
                currentIndex = keys.Count - 1;
            }

            for (var i = 0; i < currentIndex; i++)
            {
                var activates = keys[i].CreatedAt + activationDelay;
                nextActivation = activates < nextActivation ? activates : nextActivation;
            }

            // The previous key is the newest one that was already signing when the current one was
            // made: its tokens are still out there. Keys made in between (a twin from instances that
            // rotated at once) stay published too, so the previous key is never pushed out by one.
            var current = keys[currentIndex];
            var previousIndex = keys.FindIndex(currentIndex + 1, k => k.CreatedAt + activationDelay <= current.CreatedAt);
            published.AddRange(keys.Take(previousIndex < 0 ? keys.Count : previousIndex + 1));
            if (algorithm == SigningAlgorithms.Rs256)
            {
                IdTokenKey = keys[currentIndex];
            }
            else
            {
                AccessTokenKey = keys[currentIndex];
            }
        }

        Published = published;
        LoadedAt = now;
        NextActivationAt = nextActivation;
        IdTokenValidationKeys = [.. published.Where(k => k.Algorithm == SigningAlgorithms.Rs256).Select(k => k.PublicKey)];
        AccessTokenValidationKeys = [.. published.Where(k => k.Algorithm == SigningAlgorithms.Es256).Select(k => k.PublicKey)];
        Jwks = WriteJwks(published);
    }

    public IReadOnlyList<SigningKey> Published { get; }

    public DateTimeOffset LoadedAt { get; }

    /// <summary>When a published key starts signing, and the set must be worked out again.</summary>
    public DateTimeOffset NextActivationAt { get; }

    public SigningKey IdTokenKey { get; } = null!;

    public SigningKey AccessTokenKey { get; } = null!;

    public IReadOnlyList<SecurityKey> IdTokenValidationKeys { get; }

    public IReadOnlyList<SecurityKey> AccessTokenValidationKeys { get; }

    /// <summary>The JWKS document, serialized once per key change.</summary>
    public byte[] Jwks { get; }

    private static byte[] WriteJwks(IReadOnlyList<SigningKey> keys)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            foreach (var key in keys)
            {
                json.WriteStartObject();
                foreach (var (name, value) in key.Jwk)
                {
                    json.WriteString(name, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// Keeps the signing keys in memory and in the database, encrypted with Data Protection. The key ring
/// itself lives in the same database, so production must protect it at rest (a certificate or a
/// key vault for Data Protection) before a copy of the database alone can no longer sign. Rotation adds a key <see cref="OidcOptions.KeyActivationDelay"/>
/// before the current one is <see cref="OidcOptions.KeyRotationInterval"/> old; see
/// <see cref="SigningKeySet"/> for which keys sign and which are published.
/// </summary>
public sealed class SigningKeyStore(
    IServiceScopeFactory scopes,
    IDataProtectionProvider dataProtection,
    TimeProvider time,
    IOptions<OidcOptions> options,
    ILogger<SigningKeyStore> logger) : IDisposable
{
    private const string Purpose = "PrivacyPortal.Oidc.SigningKeys";

    /// <summary>The advisory lock key rotation queues on ("PPOIDCKY" in ASCII).</summary>
    private const long RotationLockId = 0x50504F49_44434B59;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, SigningKey> loaded = new(StringComparer.Ordinal);
    private volatile SigningKeySet? current;

    /// <summary>The keys; loads (and if needed creates) them on first use, and re-reads when a published key is due to start signing.</summary>
    public async ValueTask<SigningKeySet> GetAsync(CancellationToken cancellationToken = default)
    {
        var set = current;
        return set is not null && set.NextActivationAt > time.GetUtcNow() ? set : await ReloadAsync(rotateIfDue: set is null, cancellationToken);
    }

    /// <summary>Re-reads the table and rotates any key that is due; what the background job calls.</summary>
    public Task<SigningKeySet> ReloadAsync(bool rotateIfDue, CancellationToken cancellationToken) =>
        LockedAsync(db => rotateIfDue ? RotateDueAsync(db, force: null, cancellationToken) : Task.CompletedTask, cancellationToken);

    /// <summary>Adds a new key of <paramref name="algorithm"/> now, whatever the current one's age; it signs after the activation delay.</summary>
    public Task<SigningKeySet> RotateAsync(string algorithm, CancellationToken cancellationToken = default) =>
        LockedAsync(db => RotateDueAsync(db, force: algorithm, cancellationToken), cancellationToken);

    /// <summary>Reloads after an unknown <c>kid</c>, at most once per few seconds, so forged kids cannot hammer the database.</summary>
    public async ValueTask<SigningKeySet> RefreshForUnknownKeyAsync(CancellationToken cancellationToken)
    {
        var keys = await GetAsync(cancellationToken);
        return time.GetUtcNow() - keys.LoadedAt < TimeSpan.FromSeconds(5) ? keys : await ReloadAsync(rotateIfDue: false, cancellationToken);
    }

    public void Dispose()
    {
        foreach (var key in loaded.Values)
        {
            key.Dispose();
        }

        gate.Dispose();
    }

    private async Task<SigningKeySet> LockedAsync(Func<PortalDbContext, Task> change, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            await change(db);
            var (published, unreadable) = await LoadNewestAsync(db, cancellationToken);
            if (unreadable.Count > 0)
            {
                // The Data Protection key ring these keys were encrypted with is gone (a restore
                // without it, a new database for the ring): they can never sign again. Rather than
                // fail every sign-in, start new keys; stores fetch the new JWKS on the unknown kid.
                foreach (var algorithm in unreadable)
                {
                    logger.LogWarning("No {Algorithm} signing key can be decrypted with the current Data Protection key ring; creating a new one", algorithm);
                    await RotateDueAsync(db, force: algorithm, cancellationToken, onlyIfUnreadable: true);
                }

                (published, _) = await LoadNewestAsync(db, cancellationToken);
            }

            // Keys that left JWKS are not disposed: a request may still be signing with one this instant.
            var set = new SigningKeySet(published, time.GetUtcNow(), options.Value.KeyActivationDelay);
            current = set;
            return set;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The newest keys that can be decrypted, and the algorithms whose stored keys all cannot.</summary>
    private async Task<(List<SigningKey> Published, List<string> Unreadable)> LoadNewestAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var protector = dataProtection.CreateProtector(Purpose);
        var published = new List<SigningKey>();
        var unreadable = new List<string>();
        foreach (var algorithm in SigningAlgorithms.All)
        {
            // Enough for a pending, the current and the previous key, and twins made before rotation was locked.
            var rows = await NewestAsync(db, algorithm, 6, cancellationToken);
            var readable = 0;
            foreach (var row in rows)
            {
                if (!loaded.TryGetValue(row.Id, out var key))
                {
                    byte[] secret;
                    try
                    {
                        secret = protector.Unprotect(Convert.FromBase64String(row.ProtectedKey));
                    }
                    catch (CryptographicException)
                    {
                        continue;
                    }

                    key = new SigningKey(row.Id, row.Algorithm, row.CreatedAt, secret);
                    loaded[row.Id] = key;
                }

                published.Add(key);
                readable++;
            }

            if (rows.Count > 0 && readable == 0)
            {
                unreadable.Add(algorithm);
            }
        }

        return (published, unreadable);
    }

    /// <summary>
    /// Adds the keys that are due (or <paramref name="force"/>d). Instances rotating at once queue on
    /// a database lock held until commit, and each decides after taking it, so the later ones see the
    /// key the first one made instead of adding a twin.
    /// </summary>
    private async Task RotateDueAsync(PortalDbContext db, string? force, CancellationToken cancellationToken, bool onlyIfUnreadable = false)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await TakeRotationLockAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        var settings = options.Value;
        var protector = dataProtection.CreateProtector(Purpose);
        foreach (var algorithm in SigningAlgorithms.All)
        {
            // The newest key is the pending one when there is one, so this also waits for it to be used.
            var newest = (await NewestAsync(db, algorithm, 1, cancellationToken)).FirstOrDefault();
            var forced = force == algorithm && !(onlyIfUnreadable && newest is not null && CanRead(protector, newest));
            if (!forced && newest is not null && newest.CreatedAt + settings.KeyRotationInterval - settings.KeyActivationDelay > now)
            {
                continue;
            }

            var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));
            db.Set<OidcSigningKey>().Add(new OidcSigningKey
            {
                Id = id,
                Algorithm = algorithm,
                CreatedAt = now,
                ProtectedKey = Convert.ToBase64String(protector.Protect(SigningKey.Generate(algorithm))),
            });
            await db.SaveChangesAsync(cancellationToken);
            logger.LogInformation("New {Algorithm} signing key {KeyId}", algorithm, id);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: a transaction-scoped advisory lock. SQLite: a write statement (that changes
    /// nothing) takes the database's one write lock at once, so a second writer waits from here
    /// rather than failing after it has read.
    /// </summary>
    private static async Task TakeRotationLockAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RotationLockId})", cancellationToken);
        }
        else
        {
            await db.Database.ExecuteSqlAsync($"""DELETE FROM "OidcSigningKeys" WHERE 1 = 0""", cancellationToken);
        }
    }

    private static bool CanRead(IDataProtector protector, OidcSigningKey row)
    {
        try
        {
            protector.Unprotect(Convert.FromBase64String(row.ProtectedKey));
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static Task<List<OidcSigningKey>> NewestAsync(PortalDbContext db, string algorithm, int count, CancellationToken cancellationToken) =>
        db.Set<OidcSigningKey>().AsNoTracking()
            .Where(k => k.Algorithm == algorithm)
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id)
            .Take(count)
            .ToListAsync(cancellationToken);
}

/// <summary>Loads the keys before the first request and rotates them on schedule.</summary>
internal sealed class SigningKeyRotation(SigningKeyStore keys, TimeProvider time, IOptions<OidcOptions> options, ILogger<SigningKeyRotation> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await keys.ReloadAsync(rotateIfDue: true, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeyRefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await keys.ReloadAsync(rotateIfDue: true, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The keys in memory keep working; the next tick tries again.
                logger.LogError(e, "Reloading the signing keys failed");
            }
        }
    }
}
