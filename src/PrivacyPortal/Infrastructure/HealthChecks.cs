using Microsoft.Extensions.Diagnostics.HealthChecks;
using PrivacyPortal.Data;

namespace PrivacyPortal.Infrastructure;

/// <summary>Ready means the database answers; live means the process does.</summary>
internal sealed class DatabaseHealthCheck(PortalDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database does not answer.");
}
