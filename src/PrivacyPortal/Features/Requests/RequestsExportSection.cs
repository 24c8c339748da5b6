using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Features.Requests;

/// <summary>The person's requests and their threads in the Art. 15/20 export.</summary>
internal sealed class RequestsExportSection(PortalDbContext db) : IExportSection
{
    public string Name => "requests";

    public async Task WriteAsync(Utf8JsonWriter json, Guid subjectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        var requests = await db.Set<PrivacyRequest>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderBy(r => r.ReceivedAt)
            .ToListAsync(cancellationToken);
        var ids = requests.Select(r => r.Id).ToList();
        var events = (await db.Set<PrivacyRequestEvent>().AsNoTracking()
            .Where(e => ids.Contains(e.RequestId))
            .ToListAsync(cancellationToken))
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .ToLookup(e => e.RequestId);
        json.WriteStartArray();
        foreach (var r in requests)
        {
            json.WriteStartObject();
            json.WriteString("reference", r.Reference);
            json.WriteString("kind", r.Kind.ToString());
            json.WriteString("status", r.Status.ToString());
            json.WriteString("controllers", string.Join(",", r.ControllerIds));
            json.WriteString("receivedAt", r.ReceivedAt);
            json.WriteString("dueOn", r.DueOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("details", r.Details);
            if (r.RectifyField is not null)
            {
                json.WriteString("rectifyField", r.RectifyField);
                json.WriteString("rectifyValue", r.RectifyValue);
                json.WriteStartArray("corrections");
                foreach (var c in r.Corrections)
                {
                    json.WriteStartObject();
                    json.WriteNumber("recordId", c.RecordId);
                    json.WriteString("field", c.Field);
                    json.WriteString("value", c.Value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteStartArray("timeline");
            foreach (var e in events[r.Id])
            {
                json.WriteStartObject();
                json.WriteString("at", e.OccurredAt);
                json.WriteString("event", e.Kind.ToString());
                json.WriteBoolean("byStaff", e.ByStaff);
                json.WriteString("text", e.Text);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
