using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Oidc;

using OidcApplication = OpenIddictEntityFrameworkCoreApplication<Guid>;

/// <summary>
/// The applications as read once per instance. Their rows are written only at start-up, from
/// <c>Oidc:Clients</c> (<see cref="OidcApplicationsSync"/>), so after that a lookup never needs the
/// database: OpenIddict looked its client up on every token, introspection and revocation request,
/// a tracked query that cost a fifth of a client-credentials token. The copies are read-only and
/// not tracked by any context; an entity OpenIddict writes (a token, an authorization) links its
/// application through its own context (<c>SetApplicationIdAsync</c> reads it by key there).
/// </summary>
public sealed class OidcApplicationsInMemory
{
    private readonly ConcurrentDictionary<string, OidcApplication> byClientId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, OidcApplication> byId = new();

    internal async ValueTask<OidcApplication?> FindByClientIdAsync(PortalDbContext db, string clientId, CancellationToken cancellationToken)
    {
        if (byClientId.TryGetValue(clientId, out var application))
        {
            return application;
        }

        application = await db.Set<OidcApplication>().AsNoTracking().FirstOrDefaultAsync(a => a.ClientId == clientId, cancellationToken);
        return application is null ? null : Keep(application);
    }

    internal async ValueTask<OidcApplication?> FindByIdAsync(PortalDbContext db, Guid id, CancellationToken cancellationToken)
    {
        if (byId.TryGetValue(id, out var application))
        {
            return application;
        }

        application = await db.Set<OidcApplication>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        return application is null ? null : Keep(application);
    }

    /// <summary>Forgets every copy: the next lookup reads the table again (after the start-up sync wrote it).</summary>
    internal void Clear()
    {
        byClientId.Clear();
        byId.Clear();
    }

    private OidcApplication Keep(OidcApplication application)
    {
        // A lookup racing with another keeps whichever copy came first; both are the same row.
        application = byId.GetOrAdd(application.Id, application);
        if (application.ClientId is { } clientId)
        {
            byClientId.TryAdd(clientId, application);
        }

        return application;
    }
}

/// <summary>OpenIddict's EF Core application store, with lookups by client id and id answered from <see cref="OidcApplicationsInMemory"/>.</summary>
internal sealed class OidcApplicationStore(
    IMemoryCache cache,
    IOpenIddictEntityFrameworkCoreContext context,
    IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options,
    PortalDbContext db,
    OidcApplicationsInMemory applications)
    : OpenIddictEntityFrameworkCoreApplicationStore<OidcApplication, OpenIddictEntityFrameworkCoreAuthorization<Guid>, OpenIddictEntityFrameworkCoreToken<Guid>, Guid>(cache, context, options)
{
    public override ValueTask<OidcApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        // One this context tracks (the start-up sync updating it) wins: writes go through it.
        var tracked = db.ChangeTracker.Entries<OidcApplication>().Select(e => e.Entity).FirstOrDefault(a => a.ClientId == identifier);
        return tracked is not null ? new(tracked) : applications.FindByClientIdAsync(db, identifier, cancellationToken);
    }

    public override ValueTask<OidcApplication?> FindByIdAsync(string identifier, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (!Guid.TryParse(identifier, out var id))
        {
            return new((OidcApplication?)null);
        }

        var tracked = db.ChangeTracker.Entries<OidcApplication>().Select(e => e.Entity).FirstOrDefault(a => a.Id == id);
        return tracked is not null ? new(tracked) : applications.FindByIdAsync(db, id, cancellationToken);
    }
}

/// <summary>
/// OpenIddict's application cache is scoped: a new memory cache per request, filled by a miss on
/// every token request and thrown away at its end, in front of a store that already answers from
/// memory (<see cref="OidcApplicationsInMemory"/>). This one asks the store directly.
/// </summary>
internal sealed class OidcApplicationsUncached(IOpenIddictApplicationStore<OidcApplication> store) : IOpenIddictApplicationCache<OidcApplication>
{
    public ValueTask AddAsync(OidcApplication application, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<OidcApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken) =>
        store.FindByClientIdAsync(identifier, cancellationToken);

    public ValueTask<OidcApplication?> FindByIdAsync(string identifier, CancellationToken cancellationToken) =>
        store.FindByIdAsync(identifier, cancellationToken);

    public IAsyncEnumerable<OidcApplication> FindByPostLogoutRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        store.FindByPostLogoutRedirectUriAsync(uri, cancellationToken);

    public IAsyncEnumerable<OidcApplication> FindByRedirectUriAsync(string uri, CancellationToken cancellationToken) =>
        store.FindByRedirectUriAsync(uri, cancellationToken);

    public ValueTask RemoveAsync(OidcApplication application, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
