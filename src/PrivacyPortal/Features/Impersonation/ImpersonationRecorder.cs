using PrivacyPortal.Data;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// Writes the impersonation machinery's own rows (the audit line of each page viewed, each refusal,
/// the end of a view) on a context and connection of their own: the request's connection is
/// read-only during a view, and whatever a refused handler left pending in the request's context
/// must never be saved along with an audit line.
/// </summary>
public sealed class ImpersonationRecorder(IServiceScopeFactory scopes)
{
    public Task AuditAsync(string action, Guid subjectId, string detail, Guid staffId, CancellationToken cancellationToken) =>
        RunAsync(async (db, audit) =>
        {
            audit.Add(action, subjectId, detail, staffId);
            await db.SaveChangesAsync(cancellationToken);
        });

    /// <summary>Runs <paramref name="work"/> with a context (and its staff audit) of a scope of its own.</summary>
    public async Task RunAsync(Func<PortalDbContext, StaffAudit, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await work(services.GetRequiredService<PortalDbContext>(), services.GetRequiredService<StaffAudit>());
    }
}
