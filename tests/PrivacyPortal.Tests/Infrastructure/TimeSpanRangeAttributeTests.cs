using System.ComponentModel.DataAnnotations;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Tests.Infrastructure;

public sealed class TimeSpanRangeAttributeTests
{
    private sealed class Settings
    {
        [TimeSpanRange("00:01:00", "1.00:00:00")]
        public TimeSpan Window { get; set; }
    }

    [Theory]
    [InlineData("00:01:00", true)]
    [InlineData("1.00:00:00", true)]
    [InlineData("05:30:00", true)]
    [InlineData("00:00:59", false)]
    [InlineData("1.00:00:01", false)]
    [InlineData("-00:05:00", false)]
    public void The_bounds_are_inclusive(string value, bool valid)
    {
        var settings = new Settings { Window = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) };
        var results = new List<ValidationResult>();
        Assert.Equal(valid, Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true));
        if (!valid)
        {
            Assert.Equal("The field Window must be between 00:01:00 and 1.00:00:00.", Assert.Single(results).ErrorMessage);
        }
    }

    [Fact]
    public void Many_threads_validating_at_once_with_one_attribute_all_get_the_right_answer()
    {
        // RangeAttribute(typeof(TimeSpan), …) converted its bounds lazily without a lock and threw
        // InvalidCastException when two hosts validated their options at once.
        var attribute = new TimeSpanRangeAttribute("00:01:00", "01:00:00");
        var answers = new bool[2000];
        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => answers[i] = attribute.IsValid(TimeSpan.FromMinutes(i % 120)));
        for (var i = 0; i < answers.Length; i++)
        {
            Assert.Equal(i % 120 is >= 1 and <= 60, answers[i]);
        }

        Assert.False(attribute.IsValid("00:05:00"));
        Assert.True(attribute.IsValid(null));
    }
}
