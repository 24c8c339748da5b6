using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Oidc;

/// <summary>A registered store as the provider uses it: validated, with its secret hash ready.</summary>
public sealed class OidcClient(
    string clientId,
    string controllerId,
    string secretHash,
    IReadOnlyList<string> redirectUris,
    IReadOnlyList<string> postLogoutRedirectUris,
    Uri? backChannelLogoutUri,
    IReadOnlyList<string> allowedScopes,
    IReadOnlyList<string> apiScopes)
{
    public string ClientId { get; } = clientId;

    /// <summary>The policy controller of the store: the company whose data its API calls see.</summary>
    public string ControllerId { get; } = controllerId;

    internal string SecretHash { get; } = secretHash;

    public IReadOnlyList<string> RedirectUris { get; } = redirectUris;

    public IReadOnlyList<string> PostLogoutRedirectUris { get; } = postLogoutRedirectUris;

    public Uri? BackChannelLogoutUri { get; } = backChannelLogoutUri;

    public IReadOnlyList<string> AllowedScopes { get; } = allowedScopes;

    public IReadOnlyList<string> ApiScopes { get; } = apiScopes;

    /// <summary>Ordinal comparison of the whole string: a trailing slash, case, port or scheme change is another URI.</summary>
    public bool HasRedirectUri(string? uri) => uri is not null && RedirectUris.Contains(uri, StringComparer.Ordinal);

    public bool HasPostLogoutRedirectUri(string? uri) => uri is not null && PostLogoutRedirectUris.Contains(uri, StringComparer.Ordinal);
}

/// <summary>
/// The clients from <c>Oidc:Clients</c>, checked against the policy at start-up. Verifying a
/// secret runs PBKDF2; afterwards a SHA-256 of the accepted secret is kept in memory for a few
/// minutes, so the token endpoint stays fast for a store that calls it many times a second.
/// <see cref="ClientAuthenticator"/> limits how often anyone can make it run PBKDF2.
/// </summary>
public sealed class OidcClientRegistry
{
    private readonly FrozenDictionary<string, OidcClient> clients;
    private readonly ConcurrentDictionary<string, VerifiedSecret> verifiedSecrets = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly TimeSpan verifiedSecretLifetime;

    public OidcClientRegistry(IOptions<OidcOptions> options, PolicyCatalog policy, IHostEnvironment environment, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(time);
        this.time = time;
        verifiedSecretLifetime = options.Value.VerifiedClientSecretLifetime;
        var built = new Dictionary<string, OidcClient>(StringComparer.Ordinal);
        foreach (var (id, client) in options.Value.Clients)
        {
            built[id] = Build(id, client, policy, environment);
        }

        clients = built.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IEnumerable<OidcClient> All => clients.Values;

    public OidcClient? Find(string? clientId) => clientId is null ? null : clients.GetValueOrDefault(clientId);

    /// <summary>
    /// True when <paramref name="digest"/> (SHA-256 of a presented secret) is of the secret this
    /// instance last verified for the client, within <see cref="OidcOptions.VerifiedClientSecretLifetime"/>.
    /// </summary>
    internal bool IsVerified(OidcClient client, byte[] digest) =>
        verifiedSecrets.TryGetValue(client.ClientId, out var known) && known.Until > time.GetUtcNow()
        && CryptographicOperations.FixedTimeEquals(known.Digest, digest);

    /// <summary>The full PBKDF2 check; a match is remembered by its digest, so the next call is a hash comparison.</summary>
    internal bool Verify(OidcClient client, string secret, byte[] digest)
    {
        if (!ClientSecretHasher.Verify(secret, client.SecretHash))
        {
            return false;
        }

        verifiedSecrets[client.ClientId] = new VerifiedSecret(digest, time.GetUtcNow() + verifiedSecretLifetime);
        return true;
    }

    private sealed record VerifiedSecret(byte[] Digest, DateTimeOffset Until);

    private static OidcClient Build(string id, OidcClientOptions options, PolicyCatalog policy, IHostEnvironment environment)
    {
        var store = policy.FindStore(id) ?? throw Invalid(id, "is not a store of the policy; the client id must be the store id");
        string hash;
        if (!string.IsNullOrEmpty(options.SecretHash))
        {
            hash = ClientSecretHasher.IsWellFormed(options.SecretHash)
                ? options.SecretHash
                : throw Invalid(id, $"SecretHash is not of the form {ClientSecretHasher.Scheme}$iterations$salt$hash");
        }
        else if (!string.IsNullOrEmpty(options.Secret))
        {
            // A plain secret in a file is acceptable on a developer's machine only.
            hash = environment.IsDevelopment()
                ? ClientSecretHasher.Hash(options.Secret, 10_000)
                : throw Invalid(id, "has a plain Secret outside Development; configure SecretHash instead");
        }
        else
        {
            throw Invalid(id, "has no SecretHash");
        }

        foreach (var uri in options.RedirectUris.Concat(options.PostLogoutRedirectUris))
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Fragment.Length > 0
                || (parsed.Scheme != Uri.UriSchemeHttps && !(parsed.Scheme == Uri.UriSchemeHttp && parsed.IsLoopback)))
            {
                throw Invalid(id, $"redirect URI '{uri}' must be absolute https (http only for loopback) without a fragment");
            }
        }

        Uri? backChannel = null;
        if (!string.IsNullOrEmpty(options.BackChannelLogoutUri) && !Uri.TryCreate(options.BackChannelLogoutUri, UriKind.Absolute, out backChannel))
        {
            throw Invalid(id, "BackChannelLogoutUri is not an absolute URI");
        }

        // A logout token names the person and the session: outside a developer's machine it crosses
        // the network only encrypted (Back-Channel Logout §2.2 asks for TLS).
        if (backChannel is not null && backChannel.Scheme != Uri.UriSchemeHttps
            && !(environment.IsDevelopment() && backChannel.Scheme == Uri.UriSchemeHttp && backChannel.IsLoopback))
        {
            throw Invalid(id, $"BackChannelLogoutUri '{backChannel}' must be https (http only for loopback in Development)");
        }

        var unknownScope = options.AllowedScopes.FirstOrDefault(s => !OidcScopes.Identity.Contains(s));
        if (unknownScope is not null)
        {
            throw Invalid(id, $"AllowedScopes has '{unknownScope}', which the provider does not know");
        }

        var unknownApiScope = options.ApiScopes.FirstOrDefault(s => !StoreApi.StoreApiScopes.All.Contains(s));
        if (unknownApiScope is not null)
        {
            throw Invalid(id, $"ApiScopes has '{unknownApiScope}', which the store API does not know");
        }

        return new OidcClient(
            id,
            store.Controller,
            hash,
            [.. options.RedirectUris],
            [.. options.PostLogoutRedirectUris],
            backChannel,
            [.. options.AllowedScopes.Distinct(StringComparer.Ordinal)],
            [.. options.ApiScopes.Distinct(StringComparer.Ordinal)]);
    }

    private static InvalidOperationException Invalid(string id, string problem) => new($"Oidc:Clients:{id} {problem}.");
}

/// <summary>The sign-in scopes the provider knows.</summary>
public static class OidcScopes
{
    public const string OpenId = "openid";
    public const string Profile = "profile";
    public const string Email = "email";
    public const string OfflineAccess = "offline_access";

    /// <summary>Cookie-consent categories with the policy revision, and marketing permissions per company.</summary>
    public const string Privacy = "privacy";

    public static readonly FrozenSet<string> Identity = FrozenSet.Create(StringComparer.Ordinal, OpenId, Profile, Email, OfflineAccess, Privacy);

    public static IReadOnlyList<string> Parse(string? scope) =>
        string.IsNullOrWhiteSpace(scope) ? [] : [.. scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];

    public static bool Has(string scopes, string scope) => Parse(scopes).Contains(scope, StringComparer.Ordinal);
}
