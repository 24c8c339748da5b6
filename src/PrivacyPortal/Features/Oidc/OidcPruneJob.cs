using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using PrivacyPortal.Features.Jobs;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// Deletes OpenIddict's token and authorization rows that can no longer matter, once a day on one
/// instance, through OpenIddict's own pruning: redeemed, revoked or expired tokens and ended
/// authorizations created before the threshold. The threshold is the longest lifetime a grant
/// or a refresh token can have, so a redeemed refresh token stays until it could not be replayed
/// anyway, and its reuse still revokes the family while it could be.
/// </summary>
public sealed class OidcPruneJob(IServiceScopeFactory scopes, TimeProvider time, IOptions<JobOptions> options, IOptions<OidcOptions> oidc, ILogger<OidcPruneJob> logger)
    : DailyJob(scopes, time, options, logger)
{
    public override string Name => "oidc.prune";

    /// <summary>Rows created before this are pruned when they are no longer valid.</summary>
    public DateTimeOffset Threshold(DateTimeOffset now) =>
        now - (oidc.Value.RefreshTokenAbsoluteLifetime > oidc.Value.RefreshTokenLifetime ? oidc.Value.RefreshTokenAbsoluteLifetime : oidc.Value.RefreshTokenLifetime);

    /// <summary>One pruning pass in the caller's scope; returns how many token and authorization rows went.</summary>
    public async Task<(long Tokens, long Authorizations)> PruneAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var threshold = Threshold(services.GetRequiredService<TimeProvider>().GetUtcNow());
        var tokens = await services.GetRequiredService<IOpenIddictTokenManager>().PruneAsync(threshold, cancellationToken);
        var authorizations = await services.GetRequiredService<IOpenIddictAuthorizationManager>().PruneAsync(threshold, cancellationToken);
        return (tokens, authorizations);
    }

    protected override async Task RunAsync(IServiceProvider services, DateOnly today, CancellationToken cancellationToken)
    {
        var (tokens, authorizations) = await PruneAsync(services, cancellationToken);
        logger.LogInformation("OIDC pruning for {Day}: {Tokens} token row(s) and {Authorizations} authorization row(s) no longer valid.", today, tokens, authorizations);
    }
}
