namespace SampleStore;

/// <summary>The last things the store did on the portal's behalf, newest first, for the operations page.</summary>
public sealed class StoreActivity(TimeProvider time)
{
    private const int Keep = 100;
    private readonly Lock gate = new();
    private readonly LinkedList<ActivityLine> lines = new();

    public void Add(string text)
    {
        lock (gate)
        {
            lines.AddFirst(new ActivityLine(time.GetUtcNow(), text));
            while (lines.Count > Keep)
            {
                lines.RemoveLast();
            }
        }
    }

    public IReadOnlyList<ActivityLine> Lines
    {
        get
        {
            lock (gate)
            {
                return [.. lines];
            }
        }
    }
}

public sealed record ActivityLine(DateTimeOffset At, string Text);
