namespace SampleStore.StoreApi;

/// <summary>
/// The store's own data, as far as the portal cares: the orders it took (and pushed to the portal),
/// the suppression list it must honour before any marketing, and the Art. 19 tasks it carried out.
/// In memory for the sample; a real store has these in its database.
/// </summary>
public sealed class StoreData
{
    private readonly Lock gate = new();
    private readonly List<SampleOrder> orders = [];
    private readonly List<Suppression> suppressions = [];
    private readonly List<HandledTask> tasks = [];

    /// <summary>Where the suppression feed was read up to (<c>nextCursor</c>); a real store persists it with the list.</summary>
    public string? SuppressionCursor { get; set; }

    public DateTimeOffset? LastSync { get; set; }

    public string? LastSyncError { get; set; }

    public IReadOnlyList<SampleOrder> Orders
    {
        get
        {
            lock (gate)
            {
                return [.. orders];
            }
        }
    }

    public IReadOnlyList<Suppression> Suppressions
    {
        get
        {
            lock (gate)
            {
                return [.. suppressions];
            }
        }
    }

    public IReadOnlyList<HandledTask> Tasks
    {
        get
        {
            lock (gate)
            {
                return [.. tasks];
            }
        }
    }

    public void Add(SampleOrder order)
    {
        lock (gate)
        {
            orders.Add(order);
        }
    }

    public SampleOrder? FindOrder(string externalId)
    {
        lock (gate)
        {
            return orders.FirstOrDefault(o => o.ExternalId == externalId);
        }
    }

    public void Add(Suppression suppression)
    {
        lock (gate)
        {
            suppressions.Add(suppression);
        }
    }

    public void Add(HandledTask task)
    {
        lock (gate)
        {
            tasks.RemoveAll(t => t.Id == task.Id);
            tasks.Add(task);
        }
    }

    /// <summary>Whether marketing on <paramref name="channel"/> to the person is stopped by the suppression list.</summary>
    public bool IsSuppressed(string sub, string channel)
    {
        lock (gate)
        {
            return suppressions.Any(s => s.Sub == sub && (s.Kind == "unsubscribe" ? channel == "newsletter" : s.Channel is null || s.Channel == channel));
        }
    }
}

/// <summary>A sample order. <see cref="Status"/> follows the portal's tasks: erased, anonymised, restricted.</summary>
public sealed class SampleOrder
{
    public required string ExternalId { get; init; }

    public required string Sub { get; init; }

    public string? Email { get; set; }

    public string? Name { get; set; }

    public required string Product { get; init; }

    public required decimal Total { get; init; }

    public required string Currency { get; init; }

    public required DateOnly PlacedOn { get; init; }

    public DateTimeOffset? PushedAt { get; set; }

    public string? PushError { get; set; }

    public string Status { get; set; } = "active";

    /// <summary>Purposes this order must not be used for (objections, Art. 21(1)).</summary>
    public HashSet<string> RestrictedPurposes { get; } = new(StringComparer.Ordinal);
}

/// <param name="Kind"><c>objection</c>, <c>withdrawal</c> or <c>unsubscribe</c>.</param>
public sealed record Suppression(string Sub, string Email, string Kind, string? Channel, string? Purpose, DateTimeOffset ChangedAt);

/// <summary>A task from the portal and what the store did with each of its records.</summary>
public sealed record HandledTask(long Id, string Kind, string Sub, IReadOnlyList<string> Done, DateTimeOffset HandledAt, bool Acknowledged);
