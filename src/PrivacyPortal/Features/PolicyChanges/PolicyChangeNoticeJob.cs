using Microsoft.Extensions.Options;
using PrivacyPortal.Features.Jobs;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.PolicyChanges;

/// <summary>
/// Sends the notices of a material policy change in batches, from the first start with the revision
/// until everyone is told. Any instance may run it: each batch is taken under a <see cref="JobLease"/>,
/// and the notice rows' key stops a person from being told twice even if leases overlap.
/// </summary>
public sealed class PolicyChangeNoticeJob(
    IServiceScopeFactory scopes,
    PolicyCatalog policy,
    TimeProvider time,
    IOptions<JobOptions> options,
    ILogger<PolicyChangeNoticeJob> logger) : BackgroundService
{
    public const string LeaseName = "policy.change-notices";

    /// <summary>Sends batches until nobody is left or another instance holds the lease. Public for tests and operators.</summary>
    /// <returns>How many people were told by this call.</returns>
    public async Task<int> SendPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var leases = scope.ServiceProvider.GetRequiredService<JobLeases>();
            if (!await leases.TryAcquireAsync(LeaseName, options.Value.LeaseDuration, JobLeases.InstanceId, cancellationToken))
            {
                return total;
            }

            int told;
            try
            {
                told = await scope.ServiceProvider.GetRequiredService<SendPolicyChangeNoticesCommand>().SendBatchAsync(cancellationToken);
            }
            finally
            {
                await leases.ReleaseAsync(LeaseName, JobLeases.InstanceId, CancellationToken.None);
            }

            if (told == 0)
            {
                return total;
            }

            total += told;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // Checked again on each round: people who open an account before the change takes effect are told too.
        while (SendPolicyChangeNoticesCommand.IsDue(policy, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)))
        {
            try
            {
                var told = await SendPendingAsync(stoppingToken);
                if (told > 0)
                {
                    logger.LogInformation("Told {People} people of policy revision {Revision}.", told, policy.Revision);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database may be briefly away; the next round tries again.
                logger.LogWarning(ex, "Could not send the notices of policy revision {Revision}.", policy.Revision);
            }

            try
            {
                await Task.Delay(options.Value.CheckInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
