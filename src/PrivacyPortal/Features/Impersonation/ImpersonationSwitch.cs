using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// The Admin's on/off switch for "view as customer", kept in the database so it holds on every
/// instance at once and every change is in the audit log. On unless an Admin turned it off.
/// </summary>
public sealed class ImpersonationSwitch(PortalDbContext db, StaffAudit audit, TimeProvider time)
{
    public const string Key = "impersonation.enabled";
    public const string ChangedAction = "staff.impersonation-setting-changed";

    public async Task<bool> IsEnabledAsync(CancellationToken cancellationToken) =>
        await db.Set<PortalSetting>().AsNoTracking()
            .Where(s => s.Key == Key)
            .Select(s => s.Value)
            .FirstOrDefaultAsync(cancellationToken) is not "false";

    /// <summary>Turns the feature on or off; turning it off also ends every open impersonation.</summary>
    public async Task SetAsync(bool enabled, Guid adminId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var value = enabled ? "true" : "false";
        var row = await db.Set<PortalSetting>().FirstOrDefaultAsync(s => s.Key == Key, cancellationToken);
        if (row is null)
        {
            db.Add(new PortalSetting { Key = Key, Value = value, ChangedAt = now, ChangedBy = adminId });
        }
        else if (row.Value != value)
        {
            row.Value = value;
            row.ChangedAt = now;
            row.ChangedBy = adminId;
        }
        else
        {
            return;
        }

        audit.Add(ChangedAction, null, enabled ? "enabled" : "disabled", adminId);
        await db.SaveChangesAsync(cancellationToken);
        if (!enabled)
        {
            await db.Set<ImpersonationSession>()
                .Where(s => s.EndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndedBy, ImpersonationEnd.Stopped), cancellationToken);
        }
    }
}
