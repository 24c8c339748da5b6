using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Tests.Features.Requests;

public sealed class DeadlinesTests
{
    // Written out by hand, not taken from the calendar APIs the production code uses.
    private static int DaysIn(int year, int month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    /// <summary>Same day next month, or the last day of next month when that day does not exist.</summary>
    private static (int Year, int Month, int Day) OneMonthAfter(int year, int month, int day, int months = 1)
    {
        var m = month - 1 + months;
        var y = year + (m / 12);
        m = (m % 12) + 1;
        return (y, m, Math.Min(day, DaysIn(y, m)));
    }

    public static TheoryData<int> Years => new() { 2027, 2028 };

    [Theory]
    [MemberData(nameof(Years))]
    public void Every_day_of_the_year_is_due_the_same_day_next_month_or_that_months_last_day(int year)
    {
        var checkedDays = 0;
        for (var month = 1; month <= 12; month++)
        {
            for (var day = 1; day <= DaysIn(year, month); day++)
            {
                var (y, m, d) = OneMonthAfter(year, month, day);
                Assert.Equal(new DateOnly(y, m, d), Deadlines.DueDate(new DateOnly(year, month, day)));

                for (var extension = 1; extension <= 2; extension++)
                {
                    var (ey, em, ed) = OneMonthAfter(year, month, day, 1 + extension);
                    Assert.Equal(new DateOnly(ey, em, ed), Deadlines.ExtendedDueDate(new DateOnly(year, month, day), extension));
                }

                checkedDays++;
            }
        }

        Assert.Equal(year == 2028 ? 366 : 365, checkedDays);
    }

    [Theory]
    [InlineData("2027-01-31", "2027-02-28")]
    [InlineData("2028-01-31", "2028-02-29")]
    [InlineData("2028-01-29", "2028-02-29")]
    [InlineData("2027-03-31", "2027-04-30")]
    [InlineData("2027-12-31", "2028-01-31")]
    [InlineData("2028-02-29", "2028-03-29")]
    public void Known_edge_cases(string received, string due) =>
        Assert.Equal(DateOnly.Parse(due, System.Globalization.CultureInfo.InvariantCulture), Deadlines.DueDate(DateOnly.Parse(received, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void An_extension_is_possible_up_to_and_including_the_first_due_date_and_never_beyond_two_months()
    {
        var firstDue = new DateOnly(2027, 2, 28);
        Assert.True(Deadlines.CanStillExtend(firstDue, new DateOnly(2027, 2, 28)));
        Assert.False(Deadlines.CanStillExtend(firstDue, new DateOnly(2027, 3, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Deadlines.ExtendedDueDate(new DateOnly(2027, 1, 31), 3));
        Assert.Equal(new DateOnly(2027, 4, 30), Deadlines.ExtendedDueDate(new DateOnly(2027, 1, 31), 2));
    }
}
