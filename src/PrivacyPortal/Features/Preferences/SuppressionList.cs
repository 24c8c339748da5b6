using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Preferences;

/// <summary>The suppression list's key once read: it never changes, so every scope of an instance shares it.</summary>
public sealed class SuppressionKeyCache
{
    private volatile byte[]? key;

    internal byte[]? Key
    {
        get => key;
        set => key = value;
    }
}

/// <summary>
/// Erased addresses that must not be marketed to again, held as no more than needed: per company,
/// an HMAC-SHA256 of the normalised address under a key that exists only protected by Data
/// Protection. An erasure adds its person's address for every company; a store push that brings an
/// address back, and the marketing-permissions feed, check it.
/// </summary>
public sealed class SuppressionList(
    PortalDbContext db,
    PolicyCatalog policy,
    SuppressionKeyCache cache,
    IDataProtectionProvider dataProtection,
    IServiceScopeFactory scopes,
    TimeProvider time)
{
    private const string Purpose = "PrivacyPortal.Preferences.SuppressionKey.v1";

    /// <summary>
    /// Makes the key if there is none yet, on a connection of its own: call it before the caller's
    /// transaction writes, so creating the key never waits on (or aborts) that transaction.
    /// </summary>
    public async Task EnsureKeyAsync(CancellationToken cancellationToken)
    {
        if (await TryKeyAsync(cancellationToken) is not null)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var own = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        own.Add(new SuppressionKey
        {
            Id = SuppressionKey.SingleId,
            ProtectedKey = Convert.ToBase64String(Protector.Protect(RandomNumberGenerator.GetBytes(32))),
            CreatedAt = time.GetUtcNow(),
        });
        try
        {
            await own.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // Another instance made it first: theirs is the key.
        }

        _ = await TryKeyAsync(cancellationToken) ?? throw new InvalidOperationException("The suppression key could not be stored.");
    }

    /// <summary>Adds the address for every company of the policy (saved with the caller's work); known entries stay as they are.</summary>
    public async Task AddAsync(string email, Guid requestId, CancellationToken cancellationToken)
    {
        var key = await TryKeyAsync(cancellationToken) ?? throw new InvalidOperationException("Call EnsureKeyAsync before the transaction.");
        if (!EmailAddress.TryNormalize(email, out var normalized))
        {
            return;
        }

        var wanted = policy.Controllers.ToDictionary(c => c.Id, c => Hash(key, c.Id, normalized), StringComparer.Ordinal);
        var hashes = wanted.Values.ToList();
        var known = await db.Set<MarketingSuppression>().AsNoTracking()
            .Where(s => hashes.Contains(s.AddressHash))
            .Select(s => new { s.ControllerId, s.AddressHash })
            .ToListAsync(cancellationToken);
        foreach (var (controllerId, hash) in wanted)
        {
            if (!known.Any(k => k.ControllerId == controllerId && k.AddressHash == hash))
            {
                db.Add(new MarketingSuppression { ControllerId = controllerId, AddressHash = hash, RequestId = requestId, CreatedAt = time.GetUtcNow() });
            }
        }
    }

    /// <summary>Per address given, the companies it is suppressed at, with the erasure that asked for it (addresses on no list are left out).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, Guid>>> FindAsync(IEnumerable<string> emails, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, Guid>>(StringComparer.OrdinalIgnoreCase);
        if (await TryKeyAsync(cancellationToken) is not { } key)
        {
            return result;
        }

        var byHash = new Dictionary<string, (string Email, string ControllerId)>(StringComparer.Ordinal);
        foreach (var email in emails.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (EmailAddress.TryNormalize(email, out var normalized))
            {
                foreach (var controller in policy.Controllers)
                {
                    byHash[Hash(key, controller.Id, normalized)] = (email, controller.Id);
                }
            }
        }

        if (byHash.Count == 0)
        {
            return result;
        }

        var hashes = byHash.Keys.ToList();
        var found = await db.Set<MarketingSuppression>().AsNoTracking()
            .Where(s => hashes.Contains(s.AddressHash))
            .Select(s => new { s.ControllerId, s.AddressHash, s.RequestId })
            .ToListAsync(cancellationToken);
        foreach (var group in found.Where(f => byHash[f.AddressHash].ControllerId == f.ControllerId).GroupBy(f => byHash[f.AddressHash].Email, StringComparer.OrdinalIgnoreCase))
        {
            result[group.Key] = group.ToDictionary(f => f.ControllerId, f => f.RequestId, StringComparer.Ordinal);
        }

        return result;
    }

    /// <summary>The people among <paramref name="subjectIds"/> whose address is suppressed at the company.</summary>
    public async Task<IReadOnlySet<Guid>> SuppressedAtAsync(IReadOnlyCollection<Guid> subjectIds, string controllerId, CancellationToken cancellationToken)
    {
        if (await TryKeyAsync(cancellationToken) is null)
        {
            return new HashSet<Guid>();
        }

        var emails = await db.Users.AsNoTracking()
            .Where(u => subjectIds.Contains(u.Id) && u.Email != null)
            .Select(u => new { u.Id, u.Email })
            .ToListAsync(cancellationToken);
        var found = await FindAsync(emails.Select(e => e.Email!), cancellationToken);
        return emails.Where(e => found.TryGetValue(e.Email!, out var at) && at.ContainsKey(controllerId)).Select(e => e.Id).ToHashSet();
    }

    internal static string Hash(byte[] key, string controllerId, string normalizedEmail) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(controllerId + "\n" + normalizedEmail.ToUpperInvariant())));

    private IDataProtector Protector => dataProtection.CreateProtector(Purpose);

    /// <summary>The key, or null while no erasure has made one (then nothing is suppressed).</summary>
    private async Task<byte[]?> TryKeyAsync(CancellationToken cancellationToken)
    {
        if (cache.Key is { } cached)
        {
            return cached;
        }

        var stored = await db.Set<SuppressionKey>().AsNoTracking()
            .Where(k => k.Id == SuppressionKey.SingleId)
            .Select(k => k.ProtectedKey)
            .FirstOrDefaultAsync(cancellationToken);
        return stored is null ? null : cache.Key = Protector.Unprotect(Convert.FromBase64String(stored));
    }
}
