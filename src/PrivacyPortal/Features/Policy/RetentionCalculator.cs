using System.Globalization;

namespace PrivacyPortal.Features.Policy;

/// <summary>When a rule's retention ends, with what the UI needs to say why.</summary>
/// <param name="CountsFrom">The date of the event the rule counts from (order, last activity, resolution…).</param>
/// <param name="FinancialYearEnded">For financial-year rules: the end of the financial year containing <paramref name="CountsFrom"/>.</param>
/// <param name="Until">The last day the data is kept.</param>
public sealed record RetentionEnd(RetentionRule Rule, DateOnly CountsFrom, DateOnly? FinancialYearEnded, DateOnly Until)
{
    public LocalizedText Description => Rule.Description;

    /// <summary>The statute behind the period; shown on erasure as the reason data is kept.</summary>
    public LocalizedText? Law => Rule.Law;

    public bool HasEnded(DateOnly today) => today > Until;

    /// <summary>"2031-12-31: 7 years after the end of the financial year … (Estonian Accounting Act § 12)".</summary>
    public string Explain(CultureInfo culture)
    {
        // ISO dates read the same in all three languages, so no sentence template is needed in code.
        var until = Until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return Law is null
            ? $"{until}: {Description.Get(culture)}"
            : $"{until}: {Description.Get(culture)} ({Law.Get(culture)})";
    }
}

/// <summary>Works out retention ends; a date near the calendar's end saturates at 9999-12-31 instead of throwing.</summary>
public static class RetentionCalculator
{
    /// <param name="countsFrom">The date of the event named by <see cref="RetentionRule.CountsFrom"/>.</param>
    /// <param name="financialYearEnd">The controller's; used by financial-year rules only.</param>
    public static RetentionEnd Calculate(RetentionRule rule, DateOnly countsFrom, FinancialYearEnd financialYearEnd)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(financialYearEnd);
        switch (rule.Kind)
        {
            case RetentionKind.FinancialYear:
                var yearEnd = financialYearEnd.Containing(countsFrom);

                // Through FinancialYearEnd.In, so a 29 February year end stays the month's last day.
                return new RetentionEnd(rule, countsFrom, yearEnd, financialYearEnd.In(yearEnd.Year + Required(rule.Years, rule)));
            case RetentionKind.Years:
                // AddYears turns 29 February into 28 February: never kept past the period.
                var years = Required(rule.Years, rule);
                return new RetentionEnd(rule, countsFrom, null,
                    countsFrom.Year + years > DateOnly.MaxValue.Year ? DateOnly.MaxValue : countsFrom.AddYears(years));
            case RetentionKind.Months:
                // AddMonths clamps to the end of a shorter month (31 Jan + 1 month = 28/29 Feb).
                var months = Required(rule.Months, rule);
                return new RetentionEnd(rule, countsFrom, null,
                    (countsFrom.Year * 12L) + countsFrom.Month - 1 + months > (DateOnly.MaxValue.Year * 12L) + 11 ? DateOnly.MaxValue : countsFrom.AddMonths(months));
            default:
                throw new ArgumentOutOfRangeException(nameof(rule), rule.Kind, "Unknown retention kind.");
        }
    }

    private static int Required(int? length, RetentionRule rule) =>
        length ?? throw new ArgumentException($"Retention rule '{rule.Id}' of kind {rule.Kind} has no length.", nameof(rule));
}
