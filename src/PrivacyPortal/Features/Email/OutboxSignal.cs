using System.Threading.Channels;

namespace PrivacyPortal.Features.Email;

/// <summary>
/// Wakes this process's dispatcher as soon as a mail was committed, so a sign-in link does not wait
/// for the next poll. Several pokes before the dispatcher wakes collapse into one.
/// </summary>
public sealed class OutboxSignal
{
    private readonly Channel<bool> pokes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => pokes.Writer.TryWrite(true);

    /// <summary>Returns when poked or after <paramref name="timeout"/> of real time, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            await pokes.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed without a poke.
        }
    }
}
