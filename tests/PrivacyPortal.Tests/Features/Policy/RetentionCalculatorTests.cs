using System.Globalization;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Tests.Features.Policy;

public sealed class RetentionCalculatorTests
{
    private static readonly LocalizedText Description = new(new Dictionary<string, string>
    {
        ["en"] = "7 years after the end of the financial year",
        ["nb"] = "7 år etter utløpet av regnskapsåret",
        ["et"] = "7 aastat pärast majandusaasta lõppu",
    });

    private static readonly LocalizedText Law = new(new Dictionary<string, string>
    {
        ["en"] = "Estonian Accounting Act § 12",
        ["nb"] = "den estiske regnskapsloven § 12",
        ["et"] = "raamatupidamise seadus § 12",
    });

    [Theory]
    // Innore OÜ (7 years) and INNORE AS (5 years), financial year = calendar year.
    [InlineData("2024-03-10", 7, 12, 31, "2024-12-31", "2031-12-31")]
    [InlineData("2024-03-10", 5, 12, 31, "2024-12-31", "2029-12-31")]
    [InlineData("2024-12-31", 7, 12, 31, "2024-12-31", "2031-12-31")]
    [InlineData("2025-01-01", 7, 12, 31, "2025-12-31", "2032-12-31")]
    [InlineData("2024-02-29", 5, 12, 31, "2024-12-31", "2029-12-31")]
    [InlineData("2024-03-10", 0, 12, 31, "2024-12-31", "2024-12-31")]
    // A financial year ending 30 June: the date's own financial year ends the next 30 June on or after it.
    [InlineData("2024-03-10", 7, 6, 30, "2024-06-30", "2031-06-30")]
    [InlineData("2024-06-30", 7, 6, 30, "2024-06-30", "2031-06-30")]
    [InlineData("2024-07-01", 7, 6, 30, "2025-06-30", "2032-06-30")]
    [InlineData("2024-12-31", 10, 6, 30, "2025-06-30", "2035-06-30")]
    [InlineData("2025-01-01", 10, 6, 30, "2025-06-30", "2035-06-30")]
    // A year ending on the last day of February: 29 February in leap years, 28 otherwise.
    [InlineData("2024-02-29", 1, 2, 29, "2024-02-29", "2025-02-28")]
    [InlineData("2024-03-01", 4, 2, 29, "2025-02-28", "2029-02-28")]
    [InlineData("2023-03-01", 1, 2, 29, "2024-02-29", "2025-02-28")]
    [InlineData("2023-03-01", 4, 2, 29, "2024-02-29", "2028-02-29")]
    public void Financial_year_rule_counts_whole_years_from_the_end_of_the_financial_year_containing_the_date(
        string from, int years, int fyMonth, int fyDay, string financialYearEnded, string until)
    {
        var rule = Rule(RetentionKind.FinancialYear, RetentionAnchor.Transaction, years: years);

        var end = RetentionCalculator.Calculate(rule, Date(from), new FinancialYearEnd(fyMonth, fyDay));

        Assert.Equal(Date(financialYearEnded), end.FinancialYearEnded);
        Assert.Equal(Date(until), end.Until);
        Assert.Equal(Date(from), end.CountsFrom);
    }

    [Theory]
    [InlineData("2024-03-10", 26, "2026-05-10")]
    [InlineData("2024-03-10", 12, "2025-03-10")]
    [InlineData("2024-01-31", 1, "2024-02-29")]
    [InlineData("2023-01-31", 1, "2023-02-28")]
    [InlineData("2024-02-29", 12, "2025-02-28")]
    [InlineData("2024-02-29", 48, "2028-02-29")]
    [InlineData("2024-12-31", 26, "2027-02-28")]
    [InlineData("2025-01-01", 12, "2026-01-01")]
    [InlineData("2024-08-31", 26, "2026-10-31")]
    [InlineData("2024-10-31", 12, "2025-10-31")]
    [InlineData("2024-05-31", 1, "2024-06-30")]
    public void Month_rule_adds_months_and_clamps_to_the_end_of_a_shorter_month(string from, int months, string until)
    {
        var rule = Rule(RetentionKind.Months, RetentionAnchor.Collection, months: months);

        var end = RetentionCalculator.Calculate(rule, Date(from), FinancialYearEnd.December31);

        Assert.Equal(Date(until), end.Until);
        Assert.Null(end.FinancialYearEnded);
    }

    [Theory]
    [InlineData(RetentionAnchor.RelationshipEnd, "2024-03-10", 3, "2027-03-10")]
    [InlineData(RetentionAnchor.LastActivity, "2024-02-29", 3, "2027-02-28")]
    [InlineData(RetentionAnchor.LastActivity, "2024-02-29", 4, "2028-02-29")]
    [InlineData(RetentionAnchor.FinalResolution, "2024-12-31", 3, "2027-12-31")]
    [InlineData(RetentionAnchor.FinalResolution, "2025-01-01", 3, "2028-01-01")]
    [InlineData(RetentionAnchor.ComplaintPeriodEnd, "2029-03-10", 3, "2032-03-10")]
    public void Year_rule_adds_whole_years_to_the_anchor_date(RetentionAnchor anchor, string from, int years, string until)
    {
        var rule = Rule(RetentionKind.Years, anchor, years: years);

        // The financial year end must not matter for anchor-based rules.
        var end = RetentionCalculator.Calculate(rule, Date(from), new FinancialYearEnd(6, 30));

        Assert.Equal(Date(until), end.Until);
        Assert.Null(end.FinancialYearEnded);
    }

    [Theory]
    [InlineData(RetentionKind.FinancialYear, "9999-01-01", 7, 12, 31)]
    [InlineData(RetentionKind.FinancialYear, "9999-07-01", 7, 6, 30)] // its financial year would end in 10000
    [InlineData(RetentionKind.Years, "9999-01-01", 3, 12, 31)]
    [InlineData(RetentionKind.Months, "9999-01-01", 26, 12, 31)]
    [InlineData(RetentionKind.Months, "9999-12-31", 1, 12, 31)]
    public void A_retention_end_past_the_calendar_is_its_last_day_not_an_exception(RetentionKind kind, string from, int length, int fyMonth, int fyDay)
    {
        var rule = kind == RetentionKind.Months
            ? Rule(kind, RetentionAnchor.Collection, months: length)
            : Rule(kind, kind == RetentionKind.FinancialYear ? RetentionAnchor.Transaction : RetentionAnchor.LastActivity, years: length);

        var end = RetentionCalculator.Calculate(rule, Date(from), new FinancialYearEnd(fyMonth, fyDay));

        Assert.Equal(DateOnly.MaxValue, end.Until);
        Assert.False(end.HasEnded(new DateOnly(2026, 12, 1)));
    }

    [Fact]
    public void Explanation_gives_the_end_date_the_period_and_the_law_in_the_reader_language()
    {
        var rule = Rule(RetentionKind.FinancialYear, RetentionAnchor.Transaction, years: 7) with { Law = Law };

        var end = RetentionCalculator.Calculate(rule, new DateOnly(2024, 3, 10), FinancialYearEnd.December31);

        Assert.Equal("2031-12-31: 7 aastat pärast majandusaasta lõppu (raamatupidamise seadus § 12)", end.Explain(new CultureInfo("et")));
        Assert.Equal("2031-12-31: 7 år etter utløpet av regnskapsåret (den estiske regnskapsloven § 12)", end.Explain(new CultureInfo("nb-NO")));
        Assert.Equal("2031-12-31: 7 years after the end of the financial year (Estonian Accounting Act § 12)", end.Explain(new CultureInfo("en-GB")));
    }

    [Fact]
    public void Explanation_without_a_law_names_only_the_period()
    {
        var upTo26Months = new LocalizedText(new Dictionary<string, string> { ["en"] = "Up to 26 months", ["nb"] = "Opptil 26 måneder", ["et"] = "Kuni 26 kuud" });
        var rule = Rule(RetentionKind.Months, RetentionAnchor.Collection, months: 26) with { Description = upTo26Months };

        var end = RetentionCalculator.Calculate(rule, new DateOnly(2024, 3, 10), FinancialYearEnd.December31);

        Assert.Equal("2026-05-10: Kuni 26 kuud", end.Explain(new CultureInfo("et-EE")));
        Assert.Equal("2026-05-10: Up to 26 months", end.Explain(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Retention_has_ended_only_after_the_last_day()
    {
        var end = RetentionCalculator.Calculate(Rule(RetentionKind.Years, RetentionAnchor.LastContact, years: 1), new DateOnly(2024, 3, 10), FinancialYearEnd.December31);

        Assert.False(end.HasEnded(new DateOnly(2025, 3, 10)));
        Assert.True(end.HasEnded(new DateOnly(2025, 3, 11)));
    }

    private static RetentionRule Rule(RetentionKind kind, RetentionAnchor anchor, int? years = null, int? months = null) =>
        new("test-rule", kind, anchor, years, months, Description, Law: null);

    private static DateOnly Date(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
