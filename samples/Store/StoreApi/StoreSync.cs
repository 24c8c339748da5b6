using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace SampleStore.StoreApi;

/// <summary>
/// The store's background client of the portal's store API: pushes new orders (<c>records</c>),
/// then reads the suppression feed into the local suppression list, then carries out the Art. 19
/// tasks and acknowledges each one. Every <see cref="StoreOptions.SyncInterval"/>, or at once when
/// nudged (an order was placed, someone pressed "Sync now").
/// </summary>
public sealed class StoreSync(
    StoreApiClient api,
    StoreData data,
    StoreActivity activity,
    IOptions<StoreOptions> options,
    TimeProvider time,
    ILogger<StoreSync> logger) : BackgroundService
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly SemaphoreSlim nudge = new(0, 1);

    /// <summary>Takes an order for the signed-in person and sends it to the portal at once (the background loop retries a failure).</summary>
    public async Task<SampleOrder> PlaceOrderAsync(string sub, string? email, string? name, CancellationToken cancellationToken)
    {
        var order = new SampleOrder
        {
            ExternalId = $"{options.Value.Id}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}",
            Sub = sub,
            Email = email,
            Name = name,
            Product = "Configurable shelf, oak, 3 modules",
            Total = 489m,
            Currency = options.Value.Currency,
            PlacedOn = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime),
        };
        data.Add(order);
        await gate.WaitAsync(cancellationToken);
        try
        {
            await PushOrdersAsync(cancellationToken);
        }
        catch (Exception e) when (IsPortalUnreachable(e))
        {
            logger.LogWarning(e, "Order {Order} could not be pushed yet; the background round tries again", order.ExternalId);
        }
        finally
        {
            gate.Release();
        }

        return order;
    }

    /// <summary>One round of everything; returns false (and keeps the error for the operations page) when the portal could not be reached.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            await PushOrdersAsync(cancellationToken);
            await ReadSuppressionsAsync(cancellationToken);
            await HandleTasksAsync(cancellationToken);
            data.LastSync = time.GetUtcNow();
            data.LastSyncError = null;
            return true;
        }
        catch (Exception e) when (IsPortalUnreachable(e))
        {
            data.LastSyncError = e.Message;
            logger.LogWarning(e, "The store API round failed; it is tried again in {Interval}", options.Value.SyncInterval);
            return false;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The portal is down or answered with an error: an HTTP failure, or discovery that could not be
    /// read (the handler's configuration manager reports that as an InvalidOperationException).
    /// </summary>
    public static bool IsPortalUnreachable(Exception e) => e is HttpRequestException or InvalidOperationException or TaskCanceledException { InnerException: TimeoutException };

    public void Nudge()
    {
        try
        {
            nudge.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already nudged.
        }
    }

    public override void Dispose()
    {
        gate.Dispose();
        nudge.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A feed item the sample cannot read must not stop the store; the next round tries again.
                    data.LastSyncError = e.Message;
                    logger.LogError(e, "The store API round failed");
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(Task.Delay(options.Value.SyncInterval, time, wait.Token), nudge.WaitAsync(wait.Token));
                await wait.CancelAsync();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task PushOrdersAsync(CancellationToken cancellationToken)
    {
        foreach (var order in data.Orders.Where(o => o.PushedAt is null))
        {
            try
            {
                await api.PushOrderAsync(order, cancellationToken);
                order.PushedAt = time.GetUtcNow();
                order.PushError = null;
                activity.Add($"Pushed order {order.ExternalId} to the portal (category orders, transactionDate {order.PlacedOn:yyyy-MM-dd}).");
            }
            catch (Exception e) when (IsPortalUnreachable(e))
            {
                order.PushError = e.Message;
                throw;
            }
        }
    }

    /// <summary>
    /// Suppressions are facts to honour before every campaign: an objection stops that channel, a
    /// withdrawal that consent, an unsubscribe the newsletter. The list only grows; the cursor says
    /// where the next read starts.
    /// </summary>
    private async Task ReadSuppressionsAsync(CancellationToken cancellationToken)
    {
        FeedPage<SuppressionItem> page;
        do
        {
            page = await api.GetSuppressionsAsync(data.SuppressionCursor, cancellationToken);
            foreach (var item in page.Items)
            {
                data.Add(new Suppression(item.Sub, item.Email, item.Kind, item.Channel, item.Purpose, item.ChangedAt));
                activity.Add($"Suppression list: {item.Kind}{(item.Channel is null ? "" : " of " + item.Channel)}{(item.Purpose is null ? "" : " (" + item.Purpose + ")")} for {item.Sub}.");
            }

            data.SuppressionCursor = page.NextCursor ?? data.SuppressionCursor;
        }
        while (page.HasMore);
    }

    /// <summary>
    /// Reads the open tasks (they come back until acknowledged), carries out each record's action on
    /// the store's own data, then acknowledges the task with a note of what was done.
    /// </summary>
    private async Task HandleTasksAsync(CancellationToken cancellationToken)
    {
        string? since = null;
        FeedPage<TaskItem> page;
        do
        {
            page = await api.GetOpenTasksAsync(since, cancellationToken);
            foreach (var task in page.Items)
            {
                var done = task.Records.Select(CarryOut).ToList();
                var note = string.Join("; ", done);
                await api.AcknowledgeAsync(task.Id, note.Length <= 1000 ? note : note[..1000], cancellationToken);
                data.Add(new HandledTask(task.Id, task.Kind, task.Sub, done, time.GetUtcNow(), Acknowledged: true));
                activity.Add($"Task {task.Id} ({task.Kind}) carried out and acknowledged: {note}");
            }

            since = page.NextCursor;
        }
        while (page.HasMore && since is not null);
    }

    private string CarryOut(TaskRecord record)
    {
        var order = record.ExternalId is null ? null : data.FindOrder(record.ExternalId);
        var what = record.ExternalId is null ? record.Category ?? "" : $"{record.Category} {record.ExternalId}";
        if (order is null)
        {
            // The portal's own data, another system's, or gone already: nothing to do here. (A store
            // that holds data of the category without having pushed it must look for it by sub.)
            return $"{record.Action} {what}: not held by this store";
        }

        switch (record.Action)
        {
            case "erase":
                order.Status = "erased";
                order.Email = null;
                order.Name = null;
                return $"erased {what}";
            case "anonymise":
                // Only the kept fields stay, without the link to the person.
                order.Status = "anonymised (keeps " + string.Join(", ", record.KeepFields ?? []) + ")";
                order.Email = null;
                order.Name = null;
                return $"anonymised {what}";
            case "restrict":
                // Kept under a legal duty or hold, but used for nothing else until then.
                order.Status = record.KeepUntil is null ? "restricted" : "restricted until " + record.KeepUntil;
                return $"restricted {what}" + (record.KeepUntil is null ? "" : " until " + record.KeepUntil);
            case "rectify":
                if (string.Equals(record.Field, "email", StringComparison.OrdinalIgnoreCase))
                {
                    order.Email = record.Value;
                }
                else if (string.Equals(record.Field, "name", StringComparison.OrdinalIgnoreCase))
                {
                    order.Name = record.Value;
                }

                return $"rectified {record.Field} of {what}";
            case "restrict-for-purpose" or "stop-purpose":
                order.RestrictedPurposes.Add(record.Purpose ?? "");
                return $"{what} no longer used for {record.Purpose}" + (record.Action == "stop-purpose" ? " (for good)" : " (while the objection is considered)");
            case "lift-purpose-restriction":
                order.RestrictedPurposes.Remove(record.Purpose ?? "");
                return $"{what} may be used for {record.Purpose} again";
            default:
                return string.Create(CultureInfo.InvariantCulture, $"{record.Action} {what}: unknown action, passed to staff");
        }
    }
}
