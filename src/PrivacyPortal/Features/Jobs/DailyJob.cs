using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Jobs;

public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Runs the daily jobs in this instance. Every instance may run them; the lease picks one per day.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The time of day (UTC) from which a day's run is due.</summary>
    public TimeOnly DailyAtUtc { get; set; } = new(4, 0);

    /// <summary>How often an instance looks whether a daily run is due.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A run not finished after this long is taken over by another instance.</summary>
    [TimeSpanRange("00:01:00", "06:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Records the retention sweep deletes or anonymises per transaction, with their audit lines.
    /// Over 1,000,000 records on PostgreSQL a batch of 5,000 took about 0.2 s of server time,
    /// count triggers included (docs/benchmarks.md); other sizes are not compared yet.
    /// </summary>
    [Range(100, 100_000)]
    public int RetentionBatchSize { get; set; } = 5_000;
}

/// <summary>
/// A job that runs once a day across all instances: every <see cref="JobOptions.CheckInterval"/>
/// each instance tries to take the day's <see cref="JobLease"/>; the one that gets it runs the job.
/// </summary>
public abstract class DailyJob(IServiceScopeFactory scopes, TimeProvider time, IOptions<JobOptions> options, ILogger logger) : BackgroundService
{
    /// <summary>The lease name, stable across releases.</summary>
    public abstract string Name { get; }

    /// <summary>Does the day's work in its own scope.</summary>
    protected abstract Task RunAsync(IServiceProvider services, DateOnly today, CancellationToken cancellationToken);

    /// <summary>Runs the job if the day's run is due and this caller wins the lease. Public for tests and operators.</summary>
    public async Task<bool> TryRunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (TimeOnly.FromDateTime(now.UtcDateTime) < options.Value.DailyAtUtc)
        {
            return false;
        }

        await using var scope = scopes.CreateAsyncScope();
        var leases = scope.ServiceProvider.GetRequiredService<JobLeases>();
        var holder = JobLeases.InstanceId;
        if (!await leases.TryAcquireDailyAsync(Name, today, options.Value.LeaseDuration, holder, cancellationToken))
        {
            return false;
        }

        try
        {
            await RunAsync(scope.ServiceProvider, today, cancellationToken);
            await leases.CompleteAsync(Name, today, holder, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Daily job {Job} failed for {Day}; it will be tried again.", Name, today);
            await leases.ReleaseAsync(Name, holder, CancellationToken.None);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TryRunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database may be briefly away; the next check tries again.
                logger.LogWarning(ex, "Could not check daily job {Job}.", Name);
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

public static class JobRegistration
{
    /// <summary>Registers the lease store and options once; each feature with a job calls it.</summary>
    public static IServiceCollection AddDailyJobs(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(s => s.ServiceType == typeof(JobLeases)))
        {
            return services;
        }

        services.AddOptions<JobOptions>()
            .Bind(configuration.GetSection(JobOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddScoped<JobLeases>();
        return services;
    }

    /// <summary>Registers a daily job both as itself (for tests and pages) and as a hosted service.</summary>
    public static IServiceCollection AddDailyJob<TJob>(this IServiceCollection services)
        where TJob : DailyJob
    {
        services.AddSingleton<TJob>();
        services.AddHostedService(sp => sp.GetRequiredService<TJob>());
        return services;
    }
}
