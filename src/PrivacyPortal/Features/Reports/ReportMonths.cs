using System.Linq.Expressions;
using System.Reflection;

namespace PrivacyPortal.Features.Reports;

/// <summary>
/// The calendar months (UTC) a report covers, oldest first, ending with the current one. Times are
/// stored as UTC ticks, which neither SQLite nor PostgreSQL can take a month of in the same SQL; so
/// <see cref="Bucket{T, TKey}"/> turns <c>ReportMonths.Index(x.At)</c> in a GROUP BY key into a CASE
/// over the months' first instants, which both translate and compare in the index.
/// </summary>
public sealed class ReportMonths
{
    private static readonly MethodInfo IndexMethod = typeof(ReportMonths).GetMethod(nameof(Index))!;

    private readonly DateTimeOffset[] starts;

    public ReportMonths(DateOnly lastMonth, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var first = new DateOnly(lastMonth.Year, lastMonth.Month, 1).AddMonths(1 - count);
        Months = [.. Enumerable.Range(0, count).Select(first.AddMonths)];
        starts = [.. Enumerable.Range(0, count + 1).Select(i => new DateTimeOffset(first.AddMonths(i).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))];
    }

    /// <summary>The first day of each month.</summary>
    public IReadOnlyList<DateOnly> Months { get; }

    public DateTimeOffset From => starts[0];

    /// <summary>The first instant after the last month.</summary>
    public DateTimeOffset Until => starts[^1];

    /// <summary>A marker for <see cref="Bucket{T, TKey}"/>: the position of the month <paramref name="at"/> falls in. Never run.</summary>
    public static int Index(DateTimeOffset at) => throw new InvalidOperationException("Only for report queries: " + at);

    /// <summary>The key selector with each <see cref="Index"/> call replaced by a CASE over the months.</summary>
    public Expression<Func<T, TKey>> Bucket<T, TKey>(Expression<Func<T, TKey>> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (Expression<Func<T, TKey>>)new IndexRewriter(this).Visit(key);
    }

    /// <summary><c>at &lt; start[1] ? 0 : at &lt; start[2] ? 1 : …</c>; rows outside the months are filtered out before.</summary>
    private Expression MonthOf(Expression at)
    {
        Expression result = Expression.Constant(Months.Count - 1);
        for (var i = Months.Count - 2; i >= 0; i--)
        {
            result = Expression.Condition(Expression.LessThan(at, Expression.Constant(starts[i + 1])), Expression.Constant(i), result);
        }

        return result;
    }

    private sealed class IndexRewriter(ReportMonths months) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node) =>
            node.Method == IndexMethod ? months.MonthOf(Visit(node.Arguments[0])) : base.VisitMethodCall(node);
    }
}
