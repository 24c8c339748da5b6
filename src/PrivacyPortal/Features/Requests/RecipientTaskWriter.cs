using System.Text.Json;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Writes the Art. 19 tasks of a request: one per store, listing what that store must do with each
/// record it holds. The caller queues on <see cref="CursorFeedLock.RecipientTasks"/> in its transaction.
/// </summary>
public sealed class RecipientTaskWriter(PortalDbContext db, PolicyCatalog policy, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds <paramref name="item"/> to the list of every store holding the record.</summary>
    public void Collect(Dictionary<string, List<object>> perStore, HeldRecord record, object item)
    {
        ArgumentNullException.ThrowIfNull(perStore);
        foreach (var store in StoresHolding(record))
        {
            if (!perStore.TryGetValue(store, out var list))
            {
                perStore[store] = list = [];
            }

            list.Add(item);
        }
    }

    /// <summary>
    /// The store that pushed the record (or else every store of its controller), and the stores of
    /// every recipient of the category that is itself a controller of the group (e.g. INNORE AS
    /// order data shared with Innore OÜ): they hold a copy and must act on it too (Art. 19).
    /// </summary>
    public IEnumerable<string> StoresHolding(HeldRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        IEnumerable<string> own = record.SourceStoreId is { Length: > 0 } store ? [store] : policy.StoresOf(record.ControllerId).Select(s => s.Id);
        var recipients = policy.FindCategory(record.ControllerId, record.CategoryId) is { } category
            ? policy.RecipientsOf(category)
                .Where(r => r.Notification?.Method == RecipientNotificationMethod.StoreApi && r.Controller is { Length: > 0 } && r.Controller != record.ControllerId)
                .SelectMany(r => policy.StoresOf(r.Controller!))
                .Select(s => s.Id)
            : [];
        return own.Concat(recipients).Distinct(StringComparer.Ordinal);
    }

    public void Add(PrivacyRequest request, RecipientTaskKind kind, Dictionary<string, List<object>> perStore)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(perStore);
        foreach (var (store, records) in perStore.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            db.Set<RecipientTask>().Add(new RecipientTask
            {
                StoreId = store,
                SubjectId = request.SubjectId,
                RequestId = request.Id,
                Kind = kind,
                Payload = JsonSerializer.Serialize(new { request = request.Reference, subject = request.SubjectId, records }, Json),
                CreatedAt = time.GetUtcNow(),
            });
        }
    }
}
