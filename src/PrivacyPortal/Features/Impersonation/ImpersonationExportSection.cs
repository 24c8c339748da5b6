using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>"Access by customer service" in the Art. 15/20 export: who viewed the account as the person, when, how long, why.</summary>
internal sealed class ImpersonationExportSection(PortalDbContext db, TimeProvider time, IOptions<ImpersonationOptions> options) : IExportSection
{
    public string Name => "staffAccess";

    public async Task WriteAsync(Utf8JsonWriter json, Guid subjectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        var now = time.GetUtcNow();
        var rows = await StaffAccessQuery.ForAsync(db, subjectId, now, options.Value.ShowStaffAs, int.MaxValue, cancellationToken);
        json.WriteStartArray();
        foreach (var row in rows.OrderBy(r => r.StartedAt))
        {
            json.WriteStartObject();
            json.WriteString("staff", row.Staff);
            json.WriteString("startedAt", row.StartedAt);
            if (row.EndedAt is { } ended)
            {
                json.WriteString("endedAt", ended);
            }
            else
            {
                json.WriteNull("endedAt");
            }

            json.WriteNumber("minutes", row.Minutes);
            json.WriteString("reason", row.Reason);
            json.WriteString("ticket", row.Ticket);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

/// <summary>One line of the customer's "Access by customer service" list.</summary>
public sealed record StaffAccessRow(string Staff, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, int Minutes, string Reason, string Ticket)
{
    public bool Ongoing => EndedAt is null;
}

public static class StaffAccessQuery
{
    // Compiled once: my-data shows this list on every visit.
    private static readonly PerModelQuery<Func<PortalDbContext, Guid, int, IAsyncEnumerable<ImpersonationSession>>> Newest = new(() =>
        EF.CompileAsyncQuery((PortalDbContext db, Guid subjectId, int take) => db.Set<ImpersonationSession>().AsNoTracking()
            .Where(s => s.CustomerId == subjectId)
            .OrderByDescending(s => s.StartedAt)
            .Take(take)));

    /// <summary>
    /// The person's impersonations, newest first. One that expired without anyone coming back to
    /// close it ended at its expiry.
    /// </summary>
    public static async Task<IReadOnlyList<StaffAccessRow>> ForAsync(PortalDbContext db, Guid subjectId, DateTimeOffset now, StaffNameDisplay display, int take, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = new List<ImpersonationSession>();
        await foreach (var row in Newest.For(db)(db, subjectId, take).WithCancellation(cancellationToken))
        {
            rows.Add(row);
        }

        return ToRows(rows, now, display);
    }

    /// <summary>The list's lines from the person's impersonations read already, newest first.</summary>
    public static IReadOnlyList<StaffAccessRow> ToRows(IEnumerable<ImpersonationSession> sessions, DateTimeOffset now, StaffNameDisplay display)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return [.. sessions.Select(s =>
        {
            DateTimeOffset? end = s.EndedAt ?? (s.ExpiresAt <= now ? s.ExpiresAt : null);
            return new StaffAccessRow(
                ImpersonationTexts.StaffAs(s.StaffName, display),
                s.StartedAt,
                end,
                ImpersonationTexts.Minutes(s.StartedAt, end ?? now),
                s.Reason,
                s.Ticket);
        })];
    }
}
