using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Oidc;

/// <summary>
/// Queues a back-channel logout for every store the person signed in to during a portal session.
/// Written to <see cref="OidcLogoutNotification"/> (one row per session and store), so nothing is
/// lost if a store is down or the portal restarts; <see cref="BackChannelLogoutDispatcher"/> delivers.
/// </summary>
public sealed class QueueBackChannelLogoutCommand(PortalDbContext db, OidcClientRegistry clients, TimeProvider time, BackChannelLogoutDispatcher dispatcher)
{
    public async Task<int> EnqueueForSessionAsync(Guid sessionId, Guid subjectId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var grants = await db.Set<OidcGrant>().AsNoTracking()
            .Where(g => g.SessionId == sessionId)
            .Select(g => new { g.Id, g.ClientId, g.Scopes })
            .ToListAsync(cancellationToken);
        if (grants.Count == 0)
        {
            return 0;
        }

        // Signing out ends the sign-ins of the session; only offline_access grants outlive it, as that scope asks.
        var online = grants.Where(g => !OidcScopes.Has(g.Scopes, OidcScopes.OfflineAccess)).Select(g => g.Id).ToList();
        await db.Set<OidcGrant>()
            .Where(g => online.Contains(g.Id) && g.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.RevokedAt, now).SetProperty(g => g.RevokedReason, "logout"), cancellationToken);

        var already = await db.Set<OidcLogoutNotification>().AsNoTracking()
            .Where(n => n.SessionId == sessionId)
            .Select(n => n.ClientId)
            .ToListAsync(cancellationToken);
        var queued = 0;
        foreach (var clientId in grants.Select(g => g.ClientId).Distinct(StringComparer.Ordinal).Except(already, StringComparer.Ordinal))
        {
            if (clients.Find(clientId)?.BackChannelLogoutUri is not { } endpoint)
            {
                continue;
            }

            db.Add(new OidcLogoutNotification
            {
                Id = Guid.NewGuid(),
                ClientId = clientId,
                SubjectId = subjectId,
                SessionId = sessionId,
                Endpoint = endpoint.ToString(),
                Status = LogoutNotificationStatus.Pending,
                CreatedAt = now,
                NextAttemptAt = now,
            });
            queued++;
        }

        if (queued > 0)
        {
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // A parallel sign-out of the same session queued them first (unique session and client).
                db.ChangeTracker.Clear();
                return 0;
            }

            dispatcher.Nudge();
        }

        return queued;
    }
}

/// <summary>
/// Ends everything a person's sign-ins gave the stores, for when their account is erased: every
/// grant is revoked (so no refresh token works again, offline_access or not) and each store of each
/// session is told by back-channel logout. Runs in the caller's transaction.
/// </summary>
public sealed class RevokeSubjectGrantsCommand(PortalDbContext db, QueueBackChannelLogoutCommand logout, TimeProvider time)
{
    public const string Reason = "account-erased";

    public async Task<int> ExecuteAsync(Guid subjectId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var sessions = await db.Set<OidcGrant>().AsNoTracking()
            .Where(g => g.SubjectId == subjectId && g.SessionId != null)
            .Select(g => g.SessionId!.Value)
            .Distinct()
            .ToListAsync(cancellationToken);
        var revoked = await db.Set<OidcGrant>()
            .Where(g => g.SubjectId == subjectId && g.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(g => g.RevokedAt, now).SetProperty(g => g.RevokedReason, Reason), cancellationToken);
        foreach (var session in sessions)
        {
            await logout.EnqueueForSessionAsync(session, subjectId, cancellationToken);
        }

        return revoked;
    }
}

/// <summary>
/// Delivers queued logout tokens: a POST of <c>logout_token</c> (Back-Channel Logout §2.5), retried
/// with exponential back-off until the store answers 2xx or the attempts run out. Rows are claimed
/// by a conditional UPDATE, so several portal instances never deliver the same one at once.
/// </summary>
public sealed class BackChannelLogoutDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    TimeProvider time,
    IOptions<OidcOptions> options,
    ILogger<BackChannelLogoutDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "oidc-backchannel-logout";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim signal = new(0, 1);

    /// <summary>Asks for a delivery round now instead of at the next tick.</summary>
    public void Nudge()
    {
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already nudged.
            }
        }
    }

    /// <summary>One round: delivers what is due; returns how many were delivered.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var tokens = scope.ServiceProvider.GetRequiredService<OidcTokenFactory>();
        var now = time.GetUtcNow();
        var due = await db.Set<OidcLogoutNotification>().AsNoTracking()
            .Where(n => n.Status == LogoutNotificationStatus.Pending && n.NextAttemptAt <= now)
            .OrderBy(n => n.NextAttemptAt)
            .Take(50)
            .ToListAsync(cancellationToken);
        var delivered = 0;
        foreach (var notification in due)
        {
            var claimed = await db.Set<OidcLogoutNotification>()
                .Where(n => n.Id == notification.Id && n.NextAttemptAt == notification.NextAttemptAt && n.Status == LogoutNotificationStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.NextAttemptAt, now + Lease), cancellationToken);
            if (claimed != 1)
            {
                continue;
            }

            string? error;
            try
            {
                var token = await tokens.CreateLogoutTokenAsync(notification.ClientId, notification.SubjectId, notification.SessionId, cancellationToken);
                using var content = new FormUrlEncodedContent([new("logout_token", token)]);
                using var response = await httpClients.CreateClient(HttpClientName).PostAsync(new Uri(notification.Endpoint), content, cancellationToken);
                error = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                error = e.Message;
            }

            var attempts = notification.Attempts + 1;
            var after = time.GetUtcNow();
            if (error is null)
            {
                delivered++;
                await db.Set<OidcLogoutNotification>().Where(n => n.Id == notification.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, LogoutNotificationStatus.Delivered)
                        .SetProperty(n => n.DeliveredAt, after).SetProperty(n => n.Attempts, attempts).SetProperty(n => n.LastError, (string?)null), cancellationToken);
                continue;
            }

            var givenUp = attempts >= options.Value.LogoutDeliveryMaxAttempts;
            var backOff = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, attempts - 1)));
            var message = error.Length <= 2000 ? error : error[..2000];
            await db.Set<OidcLogoutNotification>().Where(n => n.Id == notification.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.Status, givenUp ? LogoutNotificationStatus.Failed : LogoutNotificationStatus.Pending)
                    .SetProperty(n => n.Attempts, attempts).SetProperty(n => n.NextAttemptAt, after + backOff).SetProperty(n => n.LastError, message), cancellationToken);
            if (givenUp)
            {
                logger.LogError("Back-channel logout to {Client} for session {Session} failed {Attempts} times and was given up: {Error}",
                    notification.ClientId, notification.SessionId, attempts, message);
            }
            else
            {
                logger.LogWarning("Back-channel logout to {Client} failed ({Error}); retrying in {BackOff}", notification.ClientId, message, backOff);
            }
        }

        return delivered;
    }

    public override void Dispose()
    {
        signal.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "A back-channel logout round failed");
            }

            // Waits for the next tick of the (testable) clock or for a nudge, whichever is first.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var tick = Task.Delay(options.Value.LogoutDeliveryInterval, time, wait.Token);
            await Task.WhenAny(tick, signal.WaitAsync(wait.Token));
            await wait.CancelAsync();
        }
    }
}

/// <summary>
/// Every way out of a portal session goes through the cookie scheme's sign-out, so hooking it here
/// covers the portal's own sign-out button and RP-initiated logout alike.
/// </summary>
internal sealed class QueueLogoutOnPortalSignOut : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name != PortalClaims.Scheme)
        {
            return;
        }

        var inner = options.Events.OnSigningOut;
        options.Events.OnSigningOut = async context =>
        {
            var user = context.HttpContext.User;
            if (user.SessionIdOf() is { } sessionId && user.SubjectId() is { } subjectId)
            {
                var queue = context.HttpContext.RequestServices.GetRequiredService<QueueBackChannelLogoutCommand>();
                await queue.EnqueueForSessionAsync(sessionId, subjectId, context.HttpContext.RequestAborted);
            }

            await inner(context);
        };
    }
}
