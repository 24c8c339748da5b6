using PrivacyPortal.Testing.Time;

namespace PrivacyPortal.Tests.Testing;

public sealed class ManualTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_clock_moves_only_when_told()
    {
        var clock = new ManualTimeProvider(Start);
        var timestamp = clock.GetTimestamp();

        Assert.Equal(Start, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal(Start.AddDays(31), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromDays(31), clock.GetElapsedTime(timestamp));
        clock.SetUtcNow(new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.SetUtcNow(Start));
    }

    [Fact]
    public async Task Task_Delay_completes_when_the_clock_reaches_its_due_time_and_not_before()
    {
        var clock = new ManualTimeProvider(Start);
        var delay = Task.Delay(TimeSpan.FromMinutes(5), clock);

        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        await delay.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_periodic_timer_fires_once_per_period_and_sees_its_own_due_time()
    {
        var clock = new ManualTimeProvider(Start);
        var seen = new List<DateTimeOffset>();
        using var timer = clock.CreateTimer(_ => seen.Add(clock.GetUtcNow()), null, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10));

        clock.Advance(TimeSpan.FromMinutes(65));

        Assert.Equal(Enumerable.Range(1, 6).Select(i => Start.AddMinutes(10 * i)), seen);
        Assert.Equal(Start.AddMinutes(65), clock.GetUtcNow());
    }

    [Fact]
    public void Timers_fire_in_due_order_across_one_advance()
    {
        var clock = new ManualTimeProvider(Start);
        var order = new List<string>();
        using var late = clock.CreateTimer(_ => order.Add("late"), null, TimeSpan.FromHours(2), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => order.Add("early"), null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromDays(1));

        Assert.Equal(["early", "late"], order);
        Assert.Equal(0, clock.ActiveTimerCount);
    }

    [Fact]
    public void Disposed_and_stopped_timers_do_not_fire()
    {
        var clock = new ManualTimeProvider(Start);
        var fired = 0;
        var disposed = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.Zero);
        using var stopped = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), TimeSpan.Zero);

        disposed.Dispose();
        Assert.True(stopped.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(0, fired);
        Assert.False(disposed.Change(TimeSpan.FromSeconds(1), TimeSpan.Zero));
    }

    [Fact]
    public async Task PeriodicTimer_ticks_as_the_clock_advances()
    {
        var clock = new ManualTimeProvider(Start);
        using var periodic = new PeriodicTimer(TimeSpan.FromMilliseconds(200), clock);

        var tick = periodic.WaitForNextTickAsync().AsTask();
        Assert.False(tick.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(await tick.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
