using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Jobs;

/// <summary>
/// One row per scheduled job. Instances race for it with a conditional UPDATE, so a daily job runs
/// once a day in the whole deployment, not once per instance.
/// </summary>
public sealed class JobLease
{
    /// <summary>The job's stable name, e.g. <c>retention.sweep</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The instance running the job now, if any.</summary>
    public string? LockedBy { get; set; }

    /// <summary>A lease that is not completed by then is considered abandoned (a crashed instance).</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The last day (UTC) the job finished; it does not run again that day.</summary>
    public DateOnly? LastCompletedOn { get; set; }

    public DateTimeOffset? LastCompletedAt { get; set; }
}

internal sealed class JobLeaseConfiguration : IEntityTypeConfiguration<JobLease>
{
    public void Configure(EntityTypeBuilder<JobLease> builder)
    {
        builder.ToTable("JobLeases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(100);
        builder.Property(l => l.LockedBy).HasMaxLength(100);
    }
}

/// <summary>Takes and gives back the daily lease of a job. Reusable by any feature with a scheduled job.</summary>
public sealed class JobLeases(PortalDbContext db, TimeProvider time)
{
    /// <summary>An id for this process, so a lease names who holds it.</summary>
    public static readonly string InstanceId = NewInstanceId();

    /// <summary>
    /// Takes the job's lease for <paramref name="day"/> if nobody completed the job that day and no
    /// live lease is held. True for exactly one caller among any number of concurrent ones.
    /// </summary>
    public async Task<bool> TryAcquireDailyAsync(string name, DateOnly day, TimeSpan leaseFor, string holder, CancellationToken cancellationToken)
    {
        await EnsureRowAsync(name, cancellationToken);
        var now = time.GetUtcNow();
        var until = now + leaseFor;
        var taken = await db.Set<JobLease>()
            .Where(l => l.Name == name
                && (l.LastCompletedOn == null || l.LastCompletedOn < day)
                && (l.LockedUntil == null || l.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.LockedBy, holder).SetProperty(l => l.LockedUntil, until), cancellationToken);
        return taken == 1;
    }

    /// <summary>
    /// Takes the job's lease for a run that is not tied to a day (a batch of work that goes on until
    /// it is done): true when no live lease is held by another instance.
    /// </summary>
    public async Task<bool> TryAcquireAsync(string name, TimeSpan leaseFor, string holder, CancellationToken cancellationToken)
    {
        await EnsureRowAsync(name, cancellationToken);
        var now = time.GetUtcNow();
        var until = now + leaseFor;
        var taken = await db.Set<JobLease>()
            .Where(l => l.Name == name && (l.LockedUntil == null || l.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.LockedBy, holder).SetProperty(l => l.LockedUntil, until), cancellationToken);
        return taken == 1;
    }

    /// <summary>Marks the day done and frees the lease; only the holder can.</summary>
    public async Task CompleteAsync(string name, DateOnly day, string holder, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Set<JobLease>()
            .Where(l => l.Name == name && l.LockedBy == holder)
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.LastCompletedOn, day)
                .SetProperty(l => l.LastCompletedAt, now)
                .SetProperty(l => l.LockedBy, (string?)null)
                .SetProperty(l => l.LockedUntil, (DateTimeOffset?)null), cancellationToken);
    }

    /// <summary>Frees the lease without marking the day done, so the job is tried again (after a failure).</summary>
    public async Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        await db.Set<JobLease>()
            .Where(l => l.Name == name && l.LockedBy == holder)
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.LockedBy, (string?)null)
                .SetProperty(l => l.LockedUntil, (DateTimeOffset?)null), cancellationToken);
    }

    public Task<JobLease?> FindAsync(string name, CancellationToken cancellationToken) =>
        db.Set<JobLease>().AsNoTracking().FirstOrDefaultAsync(l => l.Name == name, cancellationToken);

    private static string NewInstanceId()
    {
        var id = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
        return id.Length <= 100 ? id : id[^100..];
    }

    private async Task EnsureRowAsync(string name, CancellationToken cancellationToken)
    {
        if (await db.Set<JobLease>().AsNoTracking().AnyAsync(l => l.Name == name, cancellationToken))
        {
            return;
        }

        db.Set<JobLease>().Add(new JobLease { Name = name });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another instance inserted the row first; that is all we wanted.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
