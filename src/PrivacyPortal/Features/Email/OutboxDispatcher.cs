using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Sends the outbox's mails. Any number of instances may run against one database: each claims a
/// batch with a lease before sending, so no mail goes out twice while its sender is alive. If the
/// process dies between the server accepting a mail and the row being marked, the lease expires and
/// the mail is sent again with the same Message-ID: at least once, exactly once in normal operation.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IEmailTransport transport,
    OutboxSignal signal,
    TimeProvider time,
    IOptions<EmailOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int MaxErrorLength = 2000;

    /// <summary>Names this dispatcher in <see cref="OutboxMessage.LockedBy"/>; unique per instance, also within one process.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public const string WipedBody = "[removed after delivery or its final failure: the mail held a sign-in link or code]";

    private OutboxDispatcherOptions Settings => options.Value.Dispatcher;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, InstanceId, transport.GetType().Name);
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must outlive a database that is briefly away; the next round tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRoundFailed(logger, ex);
            }

            // A full batch means more may be due: go on at once. Otherwise wait in real time, not on
            // the TimeProvider, so a test's manual clock cannot stall the loop.
            if (claimed < Settings.BatchSize)
            {
                // Nothing more is due: end the kept SMTP conversations (QUIT) rather than hold them idle.
                await CloseIdleConnectionsAsync(stoppingToken);
                await signal.WaitAsync(Settings.PollInterval, stoppingToken);
            }
        }
    }

    private async Task CloseIdleConnectionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await transport.CloseIdleConnectionsAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One round: claims the due mails this instance can have and sends them, up to
    /// <see cref="OutboxDispatcherOptions.Concurrency"/> at once. Returns how many it claimed.
    /// </summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var leaseUntil = now + Settings.LeaseDuration;
        IReadOnlyList<OutboxMessage> batch;
        await using (var scope = scopes.CreateAsyncScope())
        {
            batch = await ClaimBatchAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(), now, leaseUntil, cancellationToken);
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        var started = new bool[batch.Count];
        var next = -1;
        try
        {
            // Workers take the batch's mails in order; each mail is started by exactly one of them.
            await Task.WhenAll(Enumerable.Range(0, Math.Min(Settings.Concurrency, batch.Count)).Select(async _ =>
            {
                while (true)
                {
                    var index = Interlocked.Increment(ref next);
                    // Never start a mail the lease may not outlast, or another instance could send it too.
                    if (index >= batch.Count || cancellationToken.IsCancellationRequested
                        || time.GetUtcNow() + options.Value.Smtp.Timeout > leaseUntil)
                    {
                        return;
                    }

                    started[index] = true;
                    await SendOneAsync(batch[index], cancellationToken);
                }
            }));
        }
        finally
        {
            // Hand untouched mails back at once instead of letting them wait for the lease to run out.
            // Those in flight when cancelled keep their lease: whether the server took them is unknown.
            var untouched = batch.Where((_, i) => !started[i]).Select(m => m.Id).ToList();
            if (untouched.Count > 0)
            {
                await using var scope = scopes.CreateAsyncScope();
                await ReleaseAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(), untouched);
            }
        }

        return batch.Count;
    }

    /// <summary>
    /// Takes a lease on up to <see cref="OutboxDispatcherOptions.BatchSize"/> due mails and returns those
    /// this instance now holds. The conditional UPDATE is what makes it safe: of two instances that
    /// picked the same candidates, only one matches the row. On PostgreSQL the claim is one statement
    /// with <c>FOR UPDATE SKIP LOCKED</c> instead, so instances take disjoint batches rather than
    /// queueing on each other's rows and coming away empty.
    /// </summary>
    internal async Task<IReadOnlyList<OutboxMessage>> ClaimBatchAsync(
        PortalDbContext db, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            return await ClaimBatchSkipLockedAsync(db, now, leaseUntil, cancellationToken);
        }

        var candidates = await Due(db.Outbox, now)
            .OrderBy(m => m.NextAttemptAt)
            .Select(m => m.Id)
            .Take(Settings.BatchSize)
            .ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return [];
        }

        var instance = InstanceId;
        await Due(db.Outbox, now)
            .Where(m => candidates.Contains(m.Id))
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.LockedBy, instance).SetProperty(m => m.LockedUntil, leaseUntil),
                cancellationToken);

        return await db.Outbox.AsNoTracking()
            .Where(m => candidates.Contains(m.Id) && m.LockedBy == instance && m.LockedUntil == leaseUntil)
            .OrderBy(m => m.NextAttemptAt)
            .ToListAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<OutboxMessage>> ClaimBatchSkipLockedAsync(
        PortalDbContext db, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        // Times are UTC ticks in the database (PortalDbContext), so the parameters are too.
        var pending = (int)OutboxStatus.Pending;
        var nowTicks = now.UtcTicks;
        var untilTicks = leaseUntil.UtcTicks;
        var instance = InstanceId;
        var batchSize = Settings.BatchSize;
        var claimed = await db.Outbox
            .FromSql($"""
                UPDATE "OutboxMessages" SET "LockedBy" = {instance}, "LockedUntil" = {untilTicks}
                WHERE "Id" IN (
                    SELECT "Id" FROM "OutboxMessages"
                    WHERE "Status" = {pending} AND "NextAttemptAt" <= {nowTicks}
                      AND ("LockedUntil" IS NULL OR "LockedUntil" < {nowTicks})
                    ORDER BY "NextAttemptAt"
                    LIMIT {batchSize}
                    FOR UPDATE SKIP LOCKED)
                RETURNING *
                """)
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return [.. claimed.OrderBy(m => m.NextAttemptAt)];
    }

    private static IQueryable<OutboxMessage> Due(IQueryable<OutboxMessage> outbox, DateTimeOffset now) =>
        outbox.Where(m => m.Status == OutboxStatus.Pending
            && m.NextAttemptAt <= now
            && (m.LockedUntil == null || m.LockedUntil < now));

    private async Task SendOneAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        // Its own context: mails of a batch are sent in parallel, and a DbContext serves one at a time.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var instance = InstanceId;
        try
        {
            await transport.SendAsync(message, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever went wrong, the mail stays queued; EmailDeliveryException only says how.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await RecordFailureAsync(db, message, ex);
            return;
        }

        // Recorded even when shutting down: the server has the mail, and forgetting that would send it twice.
        var sentAt = time.GetUtcNow();
        // A delivered sign-in link or code has no reason to stay in the database.
        var wipe = message.ContainsSecret && !options.Value.KeepSecretsAfterSending;
        var marked = await db.Outbox
            .Where(m => m.Id == message.Id && m.LockedBy == instance)
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Status, OutboxStatus.Sent)
                    .SetProperty(m => m.SentAt, sentAt)
                    .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                    .SetProperty(m => m.LastError, (string?)null)
                    .SetProperty(m => m.LockedBy, (string?)null)
                    .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.TextBody, m => wipe ? WipedBody : m.TextBody)
                    .SetProperty(m => m.HtmlBody, m => wipe ? WipedBody : m.HtmlBody),
                CancellationToken.None);
        if (marked == 1)
        {
            LogSent(logger, message.Id, message.Kind, message.Attempts + 1);
        }
        else
        {
            LogLeaseLost(logger, message.Id, instance);
        }
    }

    private async Task RecordFailureAsync(PortalDbContext db, OutboxMessage message, Exception exception)
    {
        var permanent = exception is EmailDeliveryException { IsPermanent: true };
        var attempts = message.Attempts + 1;
        var permanentFailures = message.PermanentFailures + (permanent ? 1 : 0);
        var dead = permanent && permanentFailures >= Settings.MaxPermanentFailures;
        var nextAttemptAt = time.GetUtcNow() + Backoff(attempts);
        var error = exception.Message.Length > MaxErrorLength ? exception.Message[..MaxErrorLength] : exception.Message;
        var instance = InstanceId;
        // A sign-in link or code that will never be sent has no reason to stay readable either.
        var wipe = dead && message.ContainsSecret && !options.Value.KeepSecretsAfterSending;

        await db.Outbox
            .Where(m => m.Id == message.Id && m.LockedBy == instance)
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.Status, dead ? OutboxStatus.Dead : OutboxStatus.Pending)
                    .SetProperty(m => m.Attempts, attempts)
                    .SetProperty(m => m.PermanentFailures, permanentFailures)
                    .SetProperty(m => m.LastError, error)
                    .SetProperty(m => m.NextAttemptAt, nextAttemptAt)
                    .SetProperty(m => m.LockedBy, (string?)null)
                    .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null)
                    .SetProperty(m => m.TextBody, m => wipe ? WipedBody : m.TextBody)
                    .SetProperty(m => m.HtmlBody, m => wipe ? WipedBody : m.HtmlBody),
                CancellationToken.None);

        if (dead)
        {
            LogDead(logger, exception, message.Id, message.Kind, attempts);
        }
        else
        {
            LogRetry(logger, exception, message.Id, message.Kind, attempts, permanent ? "permanent" : "transient", nextAttemptAt);
        }
    }

    private async Task ReleaseAsync(PortalDbContext db, List<Guid> ids)
    {
        var instance = InstanceId;
        await db.Outbox
            .Where(m => ids.Contains(m.Id) && m.LockedBy == instance)
            .ExecuteUpdateAsync(
                s => s.SetProperty(m => m.LockedBy, (string?)null).SetProperty(m => m.LockedUntil, (DateTimeOffset?)null),
                CancellationToken.None);
    }

    /// <summary>
    /// Exponential from <see cref="OutboxDispatcherOptions.BackoffBase"/>, capped, with "equal jitter"
    /// (half fixed, half random) so instances that failed together do not retry together, yet every
    /// retry waits at least half its step.
    /// </summary>
    internal TimeSpan Backoff(int attempts)
    {
        var step = Settings.BackoffBase * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        if (step > Settings.BackoffCap)
        {
            step = Settings.BackoffCap;
        }

#pragma warning disable CA5394 // Jitter spreads retries; it protects nothing, so it needs no cryptographic randomness.
        return (step / 2) + (step / 2 * Random.Shared.NextDouble());
#pragma warning restore CA5394
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox dispatcher {Instance} started with {Transport}")]
    private static partial void LogStarted(ILogger logger, string instance, string transport);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox round failed; trying again after the poll interval")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent mail {MessageId} ({Kind}) on attempt {Attempt}")]
    private static partial void LogSent(ILogger logger, Guid messageId, string kind, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {MessageId} was sent after instance {Instance} lost its lease")]
    private static partial void LogLeaseLost(ILogger logger, Guid messageId, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail {MessageId} ({Kind}) failed on attempt {Attempt} ({Failure}); next try at {NextAttemptAt:o}")]
    private static partial void LogRetry(ILogger logger, Exception exception, Guid messageId, string kind, int attempt, string failure, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mail {MessageId} ({Kind}) was refused for good after {Attempt} attempts and is dead")]
    private static partial void LogDead(ILogger logger, Exception exception, Guid messageId, string kind, int attempt);
}
