using System.Globalization;
using PrivacyPortal.Infrastructure.Time;

namespace PrivacyPortal.Tests.Infrastructure.Time;

public sealed class DateTextsTests
{
    private static readonly TimeZoneInfo Oslo = TimeZones.Find("Europe/Oslo")!;
    private static readonly TimeZoneInfo Tallinn = TimeZones.Find("Europe/Tallinn")!;

    [Theory]
    [InlineData("en", "10 March 2024")]
    [InlineData("nb", "10.03.2024")]
    [InlineData("et", "10.03.2024")]
    public void One_date_format_per_language(string culture, string expected)
    {
        Assert.Equal(expected, DateTexts.Date(new DateOnly(2024, 3, 10), CultureInfo.GetCultureInfo(culture)));
    }

    [Fact]
    public void Days_and_months_below_ten_keep_two_digits_in_nb_and_et_and_none_in_en()
    {
        var day = new DateOnly(2027, 1, 5);

        Assert.Equal("05.01.2027", DateTexts.Date(day, CultureInfo.GetCultureInfo("nb")));
        Assert.Equal("05.01.2027", DateTexts.Date(day, CultureInfo.GetCultureInfo("et")));
        Assert.Equal("5 January 2027", DateTexts.Date(day, CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public void A_moment_is_shown_in_the_zone_given_with_summer_time_and_never_says_utc()
    {
        var winter = new DateTimeOffset(2025, 1, 15, 9, 0, 0, TimeSpan.Zero);
        var summer = new DateTimeOffset(2025, 7, 15, 9, 0, 0, TimeSpan.Zero);

        Assert.Equal("15.01.2025 10:00", DateTexts.DateTime(winter, Oslo, CultureInfo.GetCultureInfo("nb")));
        Assert.Equal("15.07.2025 11:00", DateTexts.DateTime(summer, Oslo, CultureInfo.GetCultureInfo("nb")));
        Assert.Equal("15.01.2025 11:00", DateTexts.DateTime(winter, Tallinn, CultureInfo.GetCultureInfo("et")));
        Assert.Equal("15 January 2025, 10:00", DateTexts.DateTime(winter, Oslo, CultureInfo.GetCultureInfo("en")));
    }

    [Fact]
    public void The_day_of_a_moment_is_the_day_in_the_zone_not_in_utc()
    {
        var lateEvening = new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.Zero);

        Assert.Equal(new DateOnly(2027, 1, 1), DateTexts.Day(lateEvening, Oslo));
        Assert.Equal("01.01.2027", DateTexts.Date(lateEvening, Tallinn, CultureInfo.GetCultureInfo("et")));
    }

    [Theory]
    [InlineData("Europe/Oslo")]
    [InlineData("Europe/Tallinn")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("America/Port-au-Prince")]
    public void Zones_a_browser_reports_are_accepted(string id)
    {
        Assert.NotNull(TimeZones.Find(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Europe/Nowhere")]
    [InlineData("W. Europe Standard Time")]
    [InlineData("+02:00")]
    [InlineData("../../etc/passwd")]
    [InlineData("Europe/Oslo\r\nSet-Cookie: x=y")]
    [InlineData("<script>")]
    public void Anything_else_in_the_cookie_is_refused(string id)
    {
        Assert.Null(TimeZones.Find(id));
    }
}
