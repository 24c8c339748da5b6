using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Requests;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>
/// Art. 19 tasks from the requests feature's RecipientTasks table: the rows addressed to the
/// calling store, in id order after the cursor (ids only grow). Acknowledging sets the time once.
/// </summary>
internal sealed class RequestsRecipientTaskSource(PortalDbContext db, TimeProvider time) : IRecipientTaskSource
{
    private const int MaxNote = 1000;

    public async Task<ChangePage<RecipientTaskItem>> GetTasksAsync(string storeId, string controllerId, string? since, bool includeAcknowledged, int limit, CancellationToken cancellationToken)
    {
        // The task is addressed to the store itself; the requests feature only addresses a store with
        // records of its own company (the records it pushed, or its company's), so the store id suffices.
        var cursor = PreferenceSuppressionSource.ParseCursor(since);
        var query = db.Set<RecipientTask>().AsNoTracking().Where(t => t.StoreId == storeId && t.Id > cursor);
        if (!includeAcknowledged)
        {
            query = query.Where(t => t.AcknowledgedAt == null);
        }

        var rows = await query.OrderBy(t => t.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var hasMore = rows.Count > limit;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var ids = rows.Select(t => t.SubjectId).Distinct().ToList();
        var emails = ids.Count == 0
            ? []
            : await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email, cancellationToken);
        var items = rows.Select(t => ToItem(t, emails.GetValueOrDefault(t.SubjectId))).ToList();
        var next = rows.Count == 0 ? cursor : rows[^1].Id;
        return new ChangePage<RecipientTaskItem>(items, next.ToString(CultureInfo.InvariantCulture), hasMore);
    }

    public async Task<AcknowledgeOutcome> AcknowledgeAsync(string storeId, long taskId, string? note, CancellationToken cancellationToken)
    {
        var task = await db.Set<RecipientTask>().AsNoTracking()
            .Where(t => t.Id == taskId && t.StoreId == storeId)
            .Select(t => new { t.SubjectId, t.AcknowledgedAt })
            .FirstOrDefaultAsync(cancellationToken);
        if (task is null)
        {
            return AcknowledgeOutcome.NotFound;
        }

        if (task.AcknowledgedAt is not null)
        {
            return AcknowledgeOutcome.AlreadyAcknowledged;
        }

        // One conditional UPDATE: of two simultaneous acknowledgements only one sets the time.
        var now = time.GetUtcNow();
        var updated = await db.Set<RecipientTask>()
            .Where(t => t.Id == taskId && t.StoreId == storeId && t.AcknowledgedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.AcknowledgedAt, now), cancellationToken);
        if (updated == 0)
        {
            return AcknowledgeOutcome.AlreadyAcknowledged;
        }

        // The table has no place for the store's note; the audit log keeps it.
        var detail = $"store {storeId} acknowledged task {taskId.ToString(CultureInfo.InvariantCulture)}";
        if (!string.IsNullOrWhiteSpace(note))
        {
            detail += ": " + (note.Length > MaxNote ? note[..MaxNote] : note);
        }

        db.AuditEvents.Add(new AuditEvent { OccurredAt = now, SubjectId = task.SubjectId, Action = "store.task-acknowledged", Detail = detail });
        await db.SaveChangesAsync(cancellationToken);
        return AcknowledgeOutcome.Acknowledged;
    }

    private static RecipientTaskItem ToItem(RecipientTask task, string? email)
    {
        var categories = new List<string>();
        var externalIds = new List<string>();
        var details = new List<string>();
        var perRecord = new List<RecipientTaskRecord>();
        var defaultAction = task.Kind switch
        {
            RecipientTaskKind.Rectification => "rectify",
            RecipientTaskKind.Restriction => "restrict",
            RecipientTaskKind.Objection => Requests.ObjectionRestrictions.RestrictAction,
            _ => "erase",
        };
        using (var payload = JsonDocument.Parse(task.Payload))
        {
            if (payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("records", out var records)
                && records.ValueKind == JsonValueKind.Array)
            {
                foreach (var record in records.EnumerateArray())
                {
                    if (Text(record, "category") is { } category && !categories.Contains(category, StringComparer.Ordinal))
                    {
                        categories.Add(category);
                    }

                    if (Text(record, "externalId") is { } externalId)
                    {
                        externalIds.Add(externalId);
                    }

                    if (task.Kind == RecipientTaskKind.Rectification && Text(record, "field") is { } field)
                    {
                        details.Add($"{Text(record, "externalId") ?? Text(record, "category")}: {field} = {Text(record, "value")}");
                    }

                    perRecord.Add(new RecipientTaskRecord(
                        Text(record, "controller"),
                        Text(record, "category"),
                        Text(record, "externalId"),
                        Text(record, "action") ?? defaultAction,
                        Text(record, "keepUntil"),
                        record.TryGetProperty("keepFields", out var kept) && kept.ValueKind == JsonValueKind.Array
                            ? [.. kept.EnumerateArray().Where(k => k.ValueKind == JsonValueKind.String).Select(k => k.GetString()!)]
                            : null,
                        Text(record, "field"),
                        Text(record, "value"),
                        Text(record, "purpose")));
                }
            }
        }

        return new RecipientTaskItem(
            task.Id,
            task.Kind.ToString().ToLowerInvariant(),
            task.SubjectId.ToString(),
            email ?? "",
            categories,
            externalIds,
            details.Count == 0 ? null : string.Join('\n', details),
            task.CreatedAt,
            task.AcknowledgedAt,
            perRecord);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
