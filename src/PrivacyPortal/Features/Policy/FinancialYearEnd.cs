namespace PrivacyPortal.Features.Policy;

/// <summary>The last day of a controller's financial year, e.g. 12-31 or 06-30.</summary>
public sealed record FinancialYearEnd(int Month, int Day)
{
    public static FinancialYearEnd December31 { get; } = new(12, 31);

    /// <summary>
    /// The financial year end that falls in <paramref name="year"/>; 29 February becomes the 28th in
    /// common years. Past the calendar's last year it is the calendar's last day: "kept until
    /// 9999-12-31" is the true answer for a date that far out, and no page may fail on it.
    /// </summary>
    public DateOnly In(int year) => year > DateOnly.MaxValue.Year
        ? DateOnly.MaxValue
        : new(year, Month, Math.Min(Day, DateTime.DaysInMonth(year, Month)));

    /// <summary>The end of the financial year the date belongs to.</summary>
    public DateOnly Containing(DateOnly date)
    {
        var end = In(date.Year);
        return date <= end ? end : In(date.Year + 1);
    }
}
