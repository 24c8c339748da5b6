using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// Checks on every request that the cookie's server-side session still exists, so signing out,
/// an erasure or an idle timeout ends the session even if the browser kept the cookie.
/// </summary>
internal static class SessionValidator
{
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    // Runs on every signed-in request, so it is compiled once rather than translated each time.
    private static readonly PerModelQuery<Func<PortalDbContext, Guid, Task<SessionState?>>> SessionQuery = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, Guid id) => db.Sessions.AsNoTracking()
            .Where(s => s.Id == id)
            .Select(s => new SessionState(s.EndedAt, s.ExpiresAt, s.LastSeenAt))
            .FirstOrDefault()));

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var sessionId = context.Principal?.SessionIdOf();
        if (sessionId is null)
        {
            await RejectAsync(context);
            return;
        }

        var db = services.GetRequiredService<PortalDbContext>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var options = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        var session = await SessionQuery.For(db)(db, sessionId.Value);
        if (session is null || session.EndedAt is not null)
        {
            await RejectAsync(context);
            return;
        }

        if (session.ExpiresAt <= now || session.LastSeenAt + options.IdleTimeout <= now)
        {
            await EndTimedOutAsync(context, db, sessionId.Value, now);
            return;
        }

        if (now - session.LastSeenAt >= TouchInterval)
        {
            // Written at most once a minute, so a page view is not a write.
            await db.Sessions.Where(s => s.Id == sessionId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastSeenAt, now), context.HttpContext.RequestAborted);
        }
    }

    /// <summary>
    /// A session that timed out ends like one signed out of: marked ended (once, whoever is first:
    /// this request or the sweep of timed-out sessions), and signed out with its own principal in view,
    /// so the sign-out hooks (back-channel logout to the stores, revoking the session's grants) know
    /// whose session it was.
    /// </summary>
    private static async Task EndTimedOutAsync(CookieValidatePrincipalContext context, PortalDbContext db, Guid sessionId, DateTimeOffset now)
    {
        var principal = context.Principal;
        context.RejectPrincipal();
        var ended = await db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), context.HttpContext.RequestAborted);
        var anonymous = context.HttpContext.User;
        if (ended == 1 && principal is not null)
        {
            context.HttpContext.User = principal;
        }

        try
        {
            await context.HttpContext.SignOutAsync(PortalClaims.Scheme);
        }
        finally
        {
            // The rest of the request runs signed out.
            context.HttpContext.User = anonymous;
        }
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(PortalClaims.Scheme);
    }

    private sealed record SessionState(DateTimeOffset? EndedAt, DateTimeOffset ExpiresAt, DateTimeOffset LastSeenAt);
}
