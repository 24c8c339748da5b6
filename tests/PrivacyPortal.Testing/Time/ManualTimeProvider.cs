namespace PrivacyPortal.Testing.Time;

/// <summary>
/// A clock that only moves when a test moves it. Timers created from it (including
/// <c>Task.Delay(span, provider)</c> and <c>PeriodicTimer</c>) fire during <see cref="Advance"/> or
/// <see cref="SetUtcNow"/>, in due order, with the clock set to each timer's due time while its
/// callback runs. (Microsoft.Extensions.TimeProvider.Testing's FakeTimeProvider is not served here.)
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    /// <summary>The default start: a Wednesday morning in winter, far from month ends and DST changes.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2025, 1, 15, 9, 0, 0, TimeSpan.Zero);

    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _utcNow;
    private long _sequence;

    public ManualTimeProvider()
        : this(DefaultStart)
    {
    }

    public ManualTimeProvider(DateTimeOffset startUtc, TimeZoneInfo? localTimeZone = null)
    {
        _utcNow = startUtc.ToUniversalTime();
        LocalTimeZone = localTimeZone ?? TimeZoneInfo.Utc;
    }

    public override TimeZoneInfo LocalTimeZone { get; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers that are scheduled to fire (not disposed, not stopped).</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _utcNow;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Moves the clock forward, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        SetUtcNow(GetUtcNow() + delta);
    }

    /// <summary>Sets the clock; it may not go backwards, because timers could not honour that.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        var target = value.ToUniversalTime();
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                if (target < _utcNow)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), value, $"The clock is at {_utcNow:O} and cannot go back.");
                }

                due = _timers
                    .Where(t => t.DueAt <= target)
                    .OrderBy(t => t.DueAt)
                    .ThenBy(t => t.Sequence)
                    .FirstOrDefault();
                if (due is null)
                {
                    _utcNow = target;
                    return;
                }

                _utcNow = due.DueAt!.Value;
                due.DueAt = due.Period is { } period ? _utcNow + period : null;
            }

            // Outside the lock: callbacks may read the clock or create and change timers.
            due.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private bool Schedule(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        var fireNow = false;
        lock (_lock)
        {
            if (!_timers.Contains(timer))
            {
                return false;
            }

            timer.Sequence = _sequence++;
            timer.Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                timer.DueAt = null;
            }
            else if (dueTime == TimeSpan.Zero)
            {
                // A real timer with due time zero fires at once on the thread pool; so does this one.
                fireNow = true;
                timer.DueAt = timer.Period is { } p ? _utcNow + p : null;
            }
            else
            {
                timer.DueAt = _utcNow + dueTime;
            }
        }

        if (fireNow)
        {
            ThreadPool.UnsafeQueueUserWorkItem(t => t.Fire(), timer, preferLocal: false);
        }

        return true;
    }

    private void Remove(ManualTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; set; }

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ValidateSpan(dueTime, nameof(dueTime));
            ValidateSpan(period, nameof(period));
            return owner.Schedule(this, dueTime, period);
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static void ValidateSpan(TimeSpan span, string name)
        {
            if (span < TimeSpan.Zero && span != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(name, span, "Must be non-negative or Timeout.InfiniteTimeSpan.");
            }
        }
    }
}
