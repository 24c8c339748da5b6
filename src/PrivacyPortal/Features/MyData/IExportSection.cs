using System.Text.Json;

namespace PrivacyPortal.Features.MyData;

/// <summary>
/// A part of the person's export that another feature owns (consent history, requests, staff
/// access…). Each writes one property of the top-level JSON object, streaming its rows.
/// </summary>
public interface IExportSection
{
    /// <summary>The JSON property name, documented in docs/export-schema.md.</summary>
    string Name { get; }

    Task WriteAsync(Utf8JsonWriter json, Guid subjectId, CancellationToken cancellationToken);
}
