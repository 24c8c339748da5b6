using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// A portal session that ends by its idle or absolute timeout ends the person's sign-ins at the
/// stores just as signing out does: its grants without offline_access are revoked and every store of
/// the session gets a back-channel logout. Nobody has to come back to the portal for that to happen.
/// </summary>
public sealed class EndTimedOutSessionsCommand(
    PortalDbContext db,
    QueueBackChannelLogoutCommand logout,
    IOptions<AuthOptions> auth,
    TimeProvider time)
{
    public const int BatchSize = 100;

    /// <summary>Ends up to <see cref="BatchSize"/> timed-out sessions; returns how many this call ended.</summary>
    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var idleSince = now - auth.Value.IdleTimeout;
        var due = await db.Sessions.AsNoTracking()
            .Where(s => s.EndedAt == null && (s.LastSeenAt <= idleSince || s.ExpiresAt <= now))
            .OrderBy(s => s.LastSeenAt)
            .Select(s => new { s.Id, s.SubjectId })
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        var ended = 0;
        foreach (var session in due)
        {
            if (await EndAsync(session.Id, session.SubjectId, now, cancellationToken))
            {
                ended++;
            }
        }

        return ended;
    }

    /// <summary>
    /// Ends one session if it is still open; the conditional UPDATE makes one caller the one that
    /// ends it, however many instances (or a returning browser) race for it.
    /// </summary>
    public async Task<bool> EndAsync(Guid sessionId, Guid subjectId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ended = await db.Sessions.Where(s => s.Id == sessionId && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now), cancellationToken);
        if (ended == 0)
        {
            return false;
        }

        await logout.EnqueueForSessionAsync(sessionId, subjectId, cancellationToken);
        return true;
    }
}

/// <summary>Runs <see cref="EndTimedOutSessionsCommand"/> every <see cref="OidcOptions.TimedOutSessionsInterval"/> in each instance.</summary>
internal sealed partial class TimedOutSessionsJob(
    IServiceScopeFactory scopes,
    IOptions<OidcOptions> options,
    ILogger<TimedOutSessionsJob> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int ended;
            do
            {
                ended = 0;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    ended = await scope.ServiceProvider.GetRequiredService<EndTimedOutSessionsCommand>().ExecuteAsync(stoppingToken);
                    if (ended > 0)
                    {
                        LogEnded(logger, ended);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                }
            }
            while (ended == EndTimedOutSessionsCommand.BatchSize && !stoppingToken.IsCancellationRequested);

            // Real time, not the injected clock: a test's manual clock must not stall the loop.
            await Task.Delay(options.Value.TimedOutSessionsInterval, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ended {Count} timed-out sessions and queued their back-channel logouts")]
    private static partial void LogEnded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ending timed-out sessions failed; trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
