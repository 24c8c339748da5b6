using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Oidc;

public enum ClientAuthenticationStatus
{
    Authenticated,
    Failed,

    /// <summary>Too many full secret checks from this address or for this client; answered 429.</summary>
    Throttled,
}

public sealed record ClientAuthentication(ClientAuthenticationStatus Status, OidcClient? Client);

/// <summary>
/// Client authentication of the token, revocation and introspection endpoints. A secret this
/// instance verified before costs one SHA-256 and no database call, so a store's hot path stays
/// fast. Anything else costs a full PBKDF2, so those checks are counted in the shared counters (per
/// IP address, an IPv6 address by its /64, then per client id) and refused with 429 past the limit; a wrong secret seen a
/// moment ago is refused again without PBKDF2.
/// </summary>
public sealed class ClientAuthenticator(OidcClientRegistry clients, SharedRateLimitCounter counter, TimeProvider time, IOptions<OidcOptions> options)
{
    public const string PerIpPolicy = "oidc-client-secret-per-ip";
    public const string PerClientPolicy = "oidc-client-secret-per-client";
    private const int MaxRememberedFailures = 10_000;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan RememberFailureFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, DateTimeOffset> recentFailures = new(StringComparer.Ordinal);

    public async ValueTask<ClientAuthentication> AuthenticateAsync(string? clientId, string? secret, string? ipLimitKey, CancellationToken cancellationToken)
    {
        var client = clients.Find(clientId);
        if (client is null || string.IsNullOrEmpty(secret) || secret.Length > 512)
        {
            return new(ClientAuthenticationStatus.Failed, null);
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        if (clients.IsVerified(client, digest))
        {
            return new(ClientAuthenticationStatus.Authenticated, client);
        }

        var now = time.GetUtcNow();
        var failureKey = client.ClientId + "|" + Convert.ToHexString(digest);
        if (recentFailures.TryGetValue(failureKey, out var until) && until > now)
        {
            return new(ClientAuthenticationStatus.Failed, null);
        }

        var settings = options.Value;
        if (!await counter.TryTakeAsync(PerIpPolicy, ipLimitKey ?? "unknown", settings.ClientSecretChecksPerIpPerMinute, Window, cancellationToken)
            || !await counter.TryTakeAsync(PerClientPolicy, client.ClientId, settings.ClientSecretChecksPerClientPerMinute, Window, cancellationToken))
        {
            return new(ClientAuthenticationStatus.Throttled, null);
        }

        if (clients.Verify(client, secret, digest))
        {
            recentFailures.TryRemove(failureKey, out _);
            return new(ClientAuthenticationStatus.Authenticated, client);
        }

        if (recentFailures.Count >= MaxRememberedFailures)
        {
            // A flood of distinct wrong secrets; the shared counters still bound the PBKDF2 runs.
            recentFailures.Clear();
        }

        recentFailures[failureKey] = now + RememberFailureFor;
        return new(ClientAuthenticationStatus.Failed, null);
    }
}
