using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace PrivacyPortal.Infrastructure;

/// <summary>
/// A <see cref="TimeSpan"/> setting between two bounds (constant invariant strings, "d.hh:mm:ss").
/// Instead of <c>[TimeSpanRange(…)]</c>: that attribute converts its bounds on first use
/// without a lock, and two hosts validating options at once in one process (the test runs) made it
/// throw InvalidCastException. These bounds are parsed once, in the constructor.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class TimeSpanRangeAttribute : ValidationAttribute
{
    public TimeSpanRangeAttribute(string minimum, string maximum)
        : base("The field {0} must be between {1} and {2}.")
    {
        Minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        Maximum = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
    }

    public TimeSpan Minimum { get; }

    public TimeSpan Maximum { get; }

    /// <summary>Null is valid, as with <see cref="RangeAttribute"/>; [Required] says otherwise.</summary>
    public override bool IsValid(object? value) =>
        value is null || (value is TimeSpan span && span >= Minimum && span <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, Minimum, Maximum);
}
