using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace PrivacyPortal.Features.Reports;

/// <summary>One stacked part of every bar: a name for the legend and a value per bar.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> Values);

public sealed record ChartBar(int Series, double X, double Y, double Width, double Height, double Value);

public sealed record ChartTick(double Y, string Label);

/// <summary>
/// The geometry of a stacked bar chart drawn as server-side SVG (no script, no chart library): one
/// bar per month, one stacked part per series. The view box is about a phone's width, so its text
/// stays readable at 390 px; the page scales it up to its column elsewhere. Each chart stands next to
/// a table of the same numbers for people who do not see it.
/// </summary>
public sealed class StackedBarChart
{
    public const double Width = 360;
    public const double Height = 190;
    public const double Left = 34;
    public const double Top = 8;
    public const double Bottom = 32;
    private const double Right = 4;

    /// <summary>About the widest average character of the 10 px month labels, in view box units.</summary>
    private const double LabelCharWidth = 6;

    public StackedBarChart(string label, IReadOnlyList<DateOnly> months, IReadOnlyList<ChartSeries> series, bool shares = false)
    {
        ArgumentNullException.ThrowIfNull(months);
        ArgumentNullException.ThrowIfNull(series);
        Label = label;
        Series = series;
        Shares = shares;
        var totals = months.Select((_, i) => series.Sum(s => s.Values[i])).ToList();
        Max = shares ? 1 : NiceCeiling(totals.DefaultIfEmpty(0).Max());

        var plotWidth = Width - Left - Right;
        var slot = plotWidth / Math.Max(1, months.Count);
        var barWidth = slot * 0.7;
        var bars = new List<ChartBar>();
        var labels = new List<(double X, string Month, string? Year)>();
        for (var i = 0; i < months.Count; i++)
        {
            var x = Left + (i * slot) + ((slot - barWidth) / 2);
            var y = PlotBottom;
            for (var s = 0; s < series.Count; s++)
            {
                var value = series[s].Values[i];
                var scaled = shares ? (totals[i] > 0 ? value / totals[i] : 0) : value;
                var height = scaled / Max * PlotHeight;
                if (height > 0)
                {
                    y -= height;
                    bars.Add(new ChartBar(s, Round(x), Round(y), Round(barWidth), Round(height), value));
                }
            }

            var month = months[i];
            labels.Add((Round(x + (barWidth / 2)), month.ToString("MMM", CultureInfo.CurrentCulture).TrimEnd('.'),
                month.Month == 1 || (i == 0 && !StartsYearSoon(months)) ? month.Year.ToString(CultureInfo.InvariantCulture) : null));
        }

        // Month names longer than a slot holds (Estonian "veebr", "juuni") would run into each other:
        // then every other month is named; the table beside the chart names them all.
        if (labels.Count > 0 && labels.Max(l => l.Month.Length) * LabelCharWidth > slot - 2)
        {
            labels = [.. labels.Select((l, i) => i % 2 == 0 ? l : (l.X, "", l.Year))];
        }

        Bars = bars;
        MonthLabels = labels;
        Ticks = [.. new[] { 0, 0.5, 1 }.Select(f => new ChartTick(Round(PlotBottom - (f * PlotHeight)),
            shares ? (f * 100).ToString("0", CultureInfo.CurrentCulture) + " %" : (f * Max).ToString("0.#", CultureInfo.CurrentCulture)))];
    }

    /// <summary>What the chart shows, for its accessible name.</summary>
    public string Label { get; }

    public IReadOnlyList<ChartSeries> Series { get; }

    /// <summary>Each bar shows the parts' shares of its total (100 %), not counts.</summary>
    public bool Shares { get; }

    public double Max { get; }

    public IReadOnlyList<ChartBar> Bars { get; }

    public IReadOnlyList<(double X, string Month, string? Year)> MonthLabels { get; }

    public IReadOnlyList<ChartTick> Ticks { get; }

    public static double PlotBottom => Height - Bottom;

    public static double PlotHeight => Height - Bottom - Top;

    public static double PlotRight => Width - Right;

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A January in the second slot: its year would run into the first month's, which the chart's title already dates.</summary>
    private static bool StartsYearSoon(IReadOnlyList<DateOnly> months) => months.Count > 1 && months[1].Month == 1;

    /// <summary>An SVG <c>text</c> element (Razor reserves the tag name for itself, so it is written here).</summary>
    public static IHtmlContent Text(string cssClass, double x, double y, string anchor, string content) =>
        new HtmlString($"<text class=\"{cssClass}\" x=\"{Number(x)}\" y=\"{Number(y)}\" text-anchor=\"{anchor}\">{HtmlEncoder.Default.Encode(content)}</text>");

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="value"/> (and at least 2, so the middle tick is whole), so the ticks read well.</summary>
    public static double NiceCeiling(double value)
    {
        if (value <= 2)
        {
            return 2;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 2, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static double Round(double value) => Math.Round(value, 1);
}
