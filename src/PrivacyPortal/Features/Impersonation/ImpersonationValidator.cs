using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// Checks an impersonation cookie on every request against its session row, with the server's
/// clock: ended, expired, or outlived by the staff member's own session (or role) means it ends now.
/// A live one keeps the staff session from idling out and is published for the banner.
/// </summary>
internal static class ImpersonationValidator
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var principal = context.Principal;
        var state = services.GetRequiredService<ImpersonationContext>();
        var id = principal?.ImpersonationIdOf();
        if (principal is null || id is null)
        {
            await RejectAsync(context, state, null, ImpersonationEnd.Stopped);
            return;
        }

        var db = services.GetRequiredService<PortalDbContext>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var row = await db.Set<ImpersonationSession>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, http.RequestAborted);
        if (row is null || row.CustomerId != principal.SubjectId() || row.StaffId != principal.ActorIdOf()
            || row.StaffSessionId != principal.ActorSessionIdOf() || !CarriesStaffCookie(http, row, now))
        {
            // Also a view-as cookie without the staff member's own session cookie beside it (copied
            // to another browser): it opens nothing, and the view itself goes on in the staff
            // member's browser.
            await RejectAsync(context, state, null, ImpersonationEnd.Stopped);
            return;
        }

        var end = row.EndedAt is not null ? row.EndedBy ?? ImpersonationEnd.Stopped
            : row.ExpiresAt <= now ? ImpersonationEnd.Expired
            : !await StaffStillThereAsync(services, db, row, now, http.RequestAborted) ? ImpersonationEnd.StaffSessionEnded
            : null;
        if (end is not null)
        {
            if (row.EndedAt is null)
            {
                await services.GetRequiredService<ImpersonationRecorder>().RunAsync((own, audit) =>
                    StopImpersonationCommand.EndAsync(own, audit, row, end == ImpersonationEnd.Expired ? row.ExpiresAt : now, end, http.RequestAborted));
            }

            await RejectAsync(context, state, row.CustomerId, end);
            return;
        }

        var customerName = await db.Users.AsNoTracking().Where(u => u.Id == row.CustomerId).Select(u => u.DisplayName).FirstOrDefaultAsync(http.RequestAborted);
        state.Current = new ActiveImpersonation(row.Id, row.StaffId, row.CustomerId, customerName ?? "", row.Reason, row.Ticket, row.StartedAt, row.ExpiresAt);
    }

    /// <summary>
    /// The view-as cookie is bound to the staff member's own session cookie on every request: the
    /// portal cookie of the same request must hold the same staff member and the session the view
    /// was started from.
    /// </summary>
    private static bool CarriesStaffCookie(HttpContext http, ImpersonationSession row, DateTimeOffset now)
    {
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(PortalClaims.Scheme);
        var cookie = options.CookieManager.GetRequestCookie(http, options.Cookie.Name!);
        var ticket = string.IsNullOrEmpty(cookie) ? null : options.TicketDataFormat.Unprotect(cookie);
        return ticket is not null
            && (ticket.Properties.ExpiresUtc is not { } expires || expires > now)
            && ticket.Principal.SubjectId() == row.StaffId
            && ticket.Principal.SessionIdOf() == row.StaffSessionId;
    }

    private static async Task<bool> StaffStillThereAsync(IServiceProvider services, PortalDbContext db, ImpersonationSession row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var session = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == row.StaffSessionId && s.SubjectId == row.StaffId)
            .Select(s => new { s.EndedAt, s.ExpiresAt, s.LastSeenAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (session is null || session.EndedAt is not null || session.ExpiresAt <= now || session.LastSeenAt + auth.IdleTimeout <= now)
        {
            return false;
        }

        var staff = await services.GetRequiredService<StaffDirectory>().FindAsync(row.StaffId, cancellationToken);
        if (staff is null || !staff.Roles.Any(r => r is StaffRoles.Support or StaffRoles.PrivacyOfficer))
        {
            return false;
        }

        if (now - session.LastSeenAt >= TouchInterval)
        {
            // Viewing as the customer is the staff member's activity: their own session must not idle out meanwhile.
            await db.Sessions.Where(s => s.Id == row.StaffSessionId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), cancellationToken);
        }

        return true;
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context, ImpersonationContext state, Guid? customerId, string reason)
    {
        state.Ended = new EndedImpersonation(customerId, reason);
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(ImpersonationRegistration.Scheme);
    }
}
