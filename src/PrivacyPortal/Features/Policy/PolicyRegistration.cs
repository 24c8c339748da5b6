using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace PrivacyPortal.Features.Policy;

public static class PolicyRegistration
{
    /// <summary>
    /// Binds <see cref="PolicyOptions"/> and registers the <see cref="PolicyCatalog"/> singleton,
    /// loaded and validated while the host starts, so a broken policy stops the app before it serves anything.
    /// </summary>
    public static WebApplicationBuilder AddPortalPolicy(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PolicyOptions>()
            .BindConfiguration(PolicyOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(LoadCatalog);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PolicyStartupCheck>());
        return builder;
    }

    private static PolicyCatalog LoadCatalog(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<PolicyOptions>>().Value;
        var environment = services.GetRequiredService<IHostEnvironment>();
        var path = Path.GetFullPath(options.File, environment.ContentRootPath);
        var catalog = PolicyLoader.Load(path);
        services.GetRequiredService<ILogger<PolicyCatalog>>().LogInformation(
            "Policy revision {Revision} loaded from {File}: {Controllers} controllers, {Stores} stores",
            catalog.Revision,
            catalog.File,
            catalog.Controllers.Count,
            catalog.Stores.Count);
        return catalog;
    }
}

/// <summary>Resolving the catalog while the host starts is what makes a broken file fatal at start-up, not on first use.</summary>
internal sealed class PolicyStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<PolicyCatalog>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
