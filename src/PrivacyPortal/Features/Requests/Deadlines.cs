namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Art. 12(3): an answer is due one month after receipt — the same day of the next month, or that
/// month's last day when the day does not exist — and may be extended by at most two further months.
/// </summary>
public static class Deadlines
{
    /// <summary>The most further months an extension may add (Art. 12(3)).</summary>
    public const int MaxExtensionMonths = 2;

    public static DateOnly DueDate(DateOnly received) => received.AddMonths(1);

    /// <summary>The deadline after extending by <paramref name="extensionMonths"/> in total, counted from receipt.</summary>
    public static DateOnly ExtendedDueDate(DateOnly received, int extensionMonths)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extensionMonths);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(extensionMonths, MaxExtensionMonths);
        return received.AddMonths(1 + extensionMonths);
    }

    /// <summary>An extension may be decided only while the first month runs, i.e. on or before the first due date.</summary>
    public static bool CanStillExtend(DateOnly firstDue, DateOnly today) => today <= firstDue;

    /// <summary>The day a timestamp falls on, in UTC. Counting in UTC may make a deadline a day earlier, never later.</summary>
    public static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
}
