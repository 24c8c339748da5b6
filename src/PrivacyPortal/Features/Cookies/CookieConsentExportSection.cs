using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Features.Cookies;

/// <summary>The cookie choices linked to the person's account, in their export (<c>cookieConsents</c>).</summary>
internal sealed class CookieConsentExportSection(PortalDbContext db) : IExportSection
{
    public string Name => "cookieConsents";

    public async Task WriteAsync(Utf8JsonWriter json, Guid subjectId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartArray();
        var rows = db.Set<CookieConsentRecord>().AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderBy(r => r.Id)
            .AsAsyncEnumerable();
        await foreach (var r in rows.WithCancellation(cancellationToken))
        {
            json.WriteStartObject();
            json.WriteNumber("id", r.Id);
            json.WriteString("consentId", r.ConsentId);
            json.WriteStartArray("categories");
            foreach (var category in r.CategoryIds)
            {
                json.WriteStringValue(category);
            }

            json.WriteEndArray();
            json.WriteString("action", JsonNamingPolicy.CamelCase.ConvertName(r.Action.ToString()));
            json.WriteBoolean("globalPrivacyControl", r.GlobalPrivacyControl);
            json.WriteString("policyRevision", r.PolicyRevision);
            json.WriteString("givenAt", r.GivenAt);
            json.WriteString("recordedAt", r.RecordedAt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
