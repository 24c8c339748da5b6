using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Tests.Support;

namespace PrivacyPortal.Tests.Pages.Staff;

/// <summary>The audit log is append-only in the database itself (run on SQLite and, in the PostgreSQL pass, on PostgreSQL).</summary>
public sealed class AuditLogTests
{
    [Fact]
    public async Task Audit_lines_can_be_added_but_never_changed_or_deleted_whoever_asks()
    {
        using var host = new PortalHost();
        using (var support = await host.StaffAsync(PortalHost.Support))
        {
            using var queue = await support.GetAsync("/staff");
        }

        var before = await host.DbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).Select(e => new { e.Id, e.Action, e.Detail, e.ActorId, e.SubjectId }).ToListAsync());
        Assert.Contains(before, e => e.Action == "staff.viewed-queue");

        var attempts = new Dictionary<string, Func<PortalDbContext, Task>>
        {
            ["bulk update"] = db => db.AuditEvents.ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, "rewritten")),
            ["bulk delete"] = db => db.AuditEvents.Where(e => e.Action == "staff.viewed-queue").ExecuteDeleteAsync(),
            ["tracked update"] = async db =>
            {
                var line = await db.AuditEvents.OrderBy(e => e.Id).FirstAsync();
                line.ActorId = null;
                await db.SaveChangesAsync();
            },
            ["tracked delete"] = async db =>
            {
                db.AuditEvents.Remove(await db.AuditEvents.OrderByDescending(e => e.Id).FirstAsync());
                await db.SaveChangesAsync();
            },
            ["raw delete"] = db => db.Database.ExecuteSqlRawAsync("""DELETE FROM "AuditEvents" """),
        };
        if (await host.DbAsync(db => Task.FromResult(db.Database.IsNpgsql())))
        {
            attempts["truncate"] = db => db.Database.ExecuteSqlRawAsync("""TRUNCATE "AuditEvents" """);
        }

        foreach (var (what, attempt) in attempts)
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => host.DbAsync(attempt));
            Assert.True(Messages(error).Contains("AuditEvents is append-only", StringComparison.Ordinal), $"{what}: {Messages(error)}");
        }

        // Adding still works, and every earlier line is as it was.
        await host.DbAsync(async db =>
        {
            db.AuditEvents.Add(new AuditEvent { OccurredAt = PortalHost.DefaultNow, Action = "test.appended", Detail = "a new line" });
            await db.SaveChangesAsync();
        });
        var after = await host.DbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).Select(e => new { e.Id, e.Action, e.Detail, e.ActorId, e.SubjectId }).ToListAsync());
        Assert.Equal(before, after.Take(before.Count));
        Assert.Equal("test.appended", after.Skip(before.Count).Single().Action);
    }

    private static string Messages(Exception error) =>
        error.InnerException is null ? error.Message : error.Message + " / " + Messages(error.InnerException);
}
