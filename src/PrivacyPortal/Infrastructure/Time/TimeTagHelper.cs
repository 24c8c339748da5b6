using System.Globalization;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace PrivacyPortal.Infrastructure.Time;

/// <summary>
/// <c>&lt;time pp-at="@moment"&gt;</c> or <c>&lt;time pp-date="@day"&gt;</c>: writes the machine-readable
/// <c>datetime</c> attribute and the text as <see cref="PersonTime"/> does; <c>pp-date-only</c>
/// shows only the day of a moment.
/// </summary>
[HtmlTargetElement("time", Attributes = "pp-at")]
[HtmlTargetElement("time", Attributes = "pp-date")]
public sealed class TimeTagHelper(PersonTime time) : TagHelper
{
    [HtmlAttributeName("pp-at")]
    public DateTimeOffset? At { get; set; }

    [HtmlAttributeName("pp-date")]
    public DateOnly? Date { get; set; }

    [HtmlAttributeName("pp-date-only")]
    public bool DateOnly { get; set; }

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (At is { } at)
        {
            output.Attributes.SetAttribute("datetime", at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            output.Content.SetContent(DateOnly ? time.Date(at) : time.DateTime(at));
        }
        else if (Date is { } date)
        {
            output.Attributes.SetAttribute("datetime", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            output.Content.SetContent(time.Date(date));
        }
        else
        {
            output.SuppressOutput();
        }
    }
}
