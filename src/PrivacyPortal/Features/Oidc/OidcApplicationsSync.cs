using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using PrivacyPortal.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// The stores of <c>Oidc:Clients</c> are written to OpenIddict's applications at start-up, so the
/// configuration stays the one place they are defined. The secret column holds our own hash
/// (<see cref="ClientSecretHasher"/>), checked by <see cref="ClientSecretCheck"/>, never by OpenIddict.
/// </summary>
internal sealed class OidcApplicationsSync(IServiceProvider services, OidcClientRegistry clients, OidcApplicationsInMemory applications) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication<Guid>>>();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var client in clients.All)
        {
            var descriptor = Describe(client);
            // Written through the store, not the manager: the manager would hash our hash again.
            var existing = await store.FindByClientIdAsync(client.ClientId, cancellationToken);
            var application = existing ?? new OpenIddictEntityFrameworkCoreApplication<Guid>();
            await manager.PopulateAsync(application, descriptor, cancellationToken);
            await store.SetClientSecretAsync(application, client.SecretHash, cancellationToken);
            try
            {
                if (existing is null)
                {
                    await store.CreateAsync(application, cancellationToken);
                }
                else
                {
                    await store.UpdateAsync(application, cancellationToken);
                }
            }
            catch (Exception e) when (e is OpenIddictExceptions.ConcurrencyException || (e is DbUpdateException update && DbErrors.IsUniqueViolation(update)))
            {
                // Another instance starting at the same moment wrote the same configuration first.
                scope.ServiceProvider.GetRequiredService<PortalDbContext>().ChangeTracker.Clear();
            }
        }

        // Lookups made while this ran read the rows it was writing.
        applications.Clear();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static OpenIddictApplicationDescriptor Describe(OidcClient client)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientType = ClientTypes.Confidential,
            ApplicationType = ApplicationTypes.Web,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = client.ClientId,
        };
        descriptor.RedirectUris.UnionWith(client.RedirectUris.Select(u => new Uri(u)));
        descriptor.PostLogoutRedirectUris.UnionWith(client.PostLogoutRedirectUris.Select(u => new Uri(u)));
        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Token, Permissions.Endpoints.Revocation, Permissions.Endpoints.Introspection,
        ]);
        if (client.AllowedScopes.Contains(OidcScopes.OpenId))
        {
            descriptor.Permissions.UnionWith(
            [
                Permissions.Endpoints.Authorization, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
            ]);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        if (client.AllowedScopes.Contains(OidcScopes.OfflineAccess))
        {
            descriptor.Permissions.Add(Permissions.GrantTypes.RefreshToken);
        }

        if (client.ApiScopes.Count > 0)
        {
            descriptor.Permissions.Add(Permissions.GrantTypes.ClientCredentials);
        }

        descriptor.Permissions.UnionWith(client.AllowedScopes.Concat(client.ApiScopes)
            .Where(s => s is not OidcScopes.OpenId and not OidcScopes.OfflineAccess)
            .Select(s => Permissions.Prefixes.Scope + s));
        return descriptor;
    }
}
