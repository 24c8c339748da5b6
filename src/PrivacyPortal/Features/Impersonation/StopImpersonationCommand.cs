using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// Ends the current impersonation (the Stop button): the row, an audit line, the cookie. The staff
/// session stays. The request's own connection is read-only (it runs under the view), so the row
/// and the audit line are written on a context of their own.
/// </summary>
public sealed class StopImpersonationCommand(ImpersonationRecorder recorder, TimeProvider time, IHttpContextAccessor accessor)
{
    public const string EndedAction = "impersonation.ended";

    /// <summary>Returns the customer whose view ended, to go back to their staff page; null if there was none.</summary>
    public async Task<Guid?> ExecuteAsync(CancellationToken cancellationToken)
    {
        var context = accessor.HttpContext ?? throw new InvalidOperationException("Stopping needs an HTTP request.");
        var id = context.User.ImpersonationIdOf();
        Guid? customer = null;
        await recorder.RunAsync(async (db, audit) =>
        {
            var row = id is null ? null : await db.Set<ImpersonationSession>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
            if (row is not null)
            {
                customer = row.CustomerId;
                if (row.EndedAt is null)
                {
                    await EndAsync(db, audit, row, time.GetUtcNow(), ImpersonationEnd.Stopped, cancellationToken);
                }
            }
        });

        await context.SignOutAsync(ImpersonationRegistration.Scheme);
        return customer;
    }

    /// <summary>Marks the row ended once (a conditional UPDATE, so two tabs cannot both end it) and audits it.</summary>
    internal static async Task EndAsync(PortalDbContext db, StaffAudit audit, ImpersonationSession row, DateTimeOffset endedAt, string endedBy, CancellationToken cancellationToken)
    {
        var ended = await db.Set<ImpersonationSession>()
            .Where(s => s.Id == row.Id && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, endedAt).SetProperty(x => x.EndedBy, endedBy), cancellationToken);
        if (ended == 1)
        {
            audit.Add(EndedAction, row.CustomerId, $"imp={row.Id} by={endedBy} ticket={row.Ticket}", row.StaffId);
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
