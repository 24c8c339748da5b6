using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Features.Preferences;

/// <summary>The person's marketing preference history in their export (<c>marketingPreferences</c>).</summary>
internal sealed class PreferencesExportSection(PortalDbContext db) : IExportSection
{
    public string Name => "marketingPreferences";

    public async Task WriteAsync(Utf8JsonWriter json, Guid subjectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartArray();
        var rows = db.Set<MarketingPreferenceRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderBy(r => r.Id)
            .AsAsyncEnumerable();
        await foreach (var r in rows.WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            json.WriteNumber("id", r.Id);
            json.WriteString("controller", r.ControllerId);
            json.WriteString("kind", JsonNamingPolicy.CamelCase.ConvertName(r.Kind.ToString()));
            json.WriteString("target", r.Target);
            json.WriteBoolean("enabled", r.Enabled);
            json.WriteString("by", JsonNamingPolicy.CamelCase.ConvertName(r.Actor.ToString()));
            json.WriteString("channel", JsonNamingPolicy.CamelCase.ConvertName(r.Channel.ToString()));
            json.WriteString("store", r.StoreId);
            json.WriteString("policyRevision", r.PolicyRevision);
            json.WriteString("at", r.OccurredAt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
