using System.Diagnostics;
using System.Threading.RateLimiting;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// Adapts <see cref="SharedRateLimitCounter"/> to ASP.NET Core's rate limiting middleware, so the
/// pages keep <c>[EnableRateLimiting]</c> and the rejection page while the count lives in the database.
/// The middleware tries <see cref="RateLimiter.AttemptAcquire(int)"/> first and, when that fails,
/// waits on <see cref="RateLimiter.AcquireAsync(int, CancellationToken)"/>; the database is only asked there.
/// </summary>
internal sealed class SharedFixedWindowRateLimiter(
    SharedRateLimitCounter counter, string policy, string partition, int permitLimit, TimeSpan window) : RateLimiter
{
    private long _lastUsed = Stopwatch.GetTimestamp();

    public override TimeSpan? IdleDuration => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Rejected;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
        if (permitCount == 0)
        {
            return Lease.Acquired;
        }

        return await counter.TryTakeAsync(policy, partition, permitLimit, window, cancellationToken)
            ? Lease.Acquired
            : Lease.Rejected;
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true);
        public static readonly Lease Rejected = new(false);

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
