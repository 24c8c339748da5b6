using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Retention;

namespace PrivacyPortal.Features.MyData;

/// <summary>
/// Art. 15(3)/Art. 20: a zip with <c>data.json</c> (schema in docs/export-schema.md) and one CSV per
/// category. Records are streamed from the database straight into the zip, twice (JSON, then
/// CSV), so memory stays flat however many records a person has.
/// </summary>
public sealed class PersonalDataExport(
    PortalDbContext db,
    PolicyCatalog policy,
    CustomerRelationships relationships,
    TimeProvider time,
    IEnumerable<IExportSection> sections)
{
    public const int SchemaVersion = 1;
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true };

    public async Task WriteZipAsync(Guid subjectId, Stream output, CultureInfo culture, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(culture);
        await using var body = new AsyncWritesStream(output);
        await using (var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8, cancellationToken))
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var states = await relationships.OfPersonAsync(subjectId, today, cancellationToken);
            var columns = await WriteJsonAsync(zip, subjectId, states, culture, cancellationToken);
            await WriteCsvAsync(zip, subjectId, states, columns, culture, cancellationToken);
        }

        await body.FlushAsync(cancellationToken);
    }

    /// <returns>The content field names seen per category, for the CSV header rows.</returns>
    private async Task<Dictionary<(string, string), SortedSet<string>>> WriteJsonAsync(
        ZipArchive zip, Guid subjectId, IReadOnlyDictionary<string, RelationshipState> states, CultureInfo culture, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<(string, string), SortedSet<string>>();
        var entry = zip.CreateEntry("data.json", CompressionLevel.Fastest);
        await using var stream = await entry.OpenAsync(cancellationToken);
        await using var json = new Utf8JsonWriter(stream, JsonOptions);

        var person = await db.Users.AsNoTracking().Where(u => u.Id == subjectId)
            .Select(u => new { u.Id, u.DisplayName, u.Email, u.PhoneNumber, u.Kind, u.CompanyName, u.CompanyRegistrationCode, u.JobTitle, u.PreferredCulture, u.CreatedAt })
            .FirstAsync(cancellationToken);

        json.WriteStartObject();
        json.WriteNumber("schemaVersion", SchemaVersion);
        json.WriteString("generatedAt", time.GetUtcNow());
        json.WriteString("policyRevision", policy.Revision);
        json.WriteString("language", culture.Name);
        json.WriteStartObject("person");
        json.WriteString("id", person.Id);
        json.WriteString("name", person.DisplayName);
        json.WriteString("email", person.Email);
        json.WriteString("phone", person.PhoneNumber);
        json.WriteString("kind", person.Kind.ToString());
        json.WriteString("companyName", person.CompanyName);
        json.WriteString("companyRegistrationCode", person.CompanyRegistrationCode);
        json.WriteString("jobTitle", person.JobTitle);
        json.WriteString("preferredLanguage", person.PreferredCulture);
        json.WriteString("accountCreatedAt", person.CreatedAt);
        json.WriteEndObject();

        json.WriteStartArray("controllers");
        string? controllerId = null;
        string? categoryId = null;
        await foreach (var record in Records(subjectId).WithCancellation(cancellationToken))
        {
            if (record.ControllerId != controllerId)
            {
                if (controllerId is not null)
                {
                    json.WriteEndArray(); // records
                    json.WriteEndObject(); // category
                    json.WriteEndArray(); // categories
                    json.WriteEndObject(); // controller
                }

                controllerId = record.ControllerId;
                categoryId = null;
                WriteControllerStart(json, controllerId);
            }

            if (record.CategoryId != categoryId)
            {
                if (categoryId is not null)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                categoryId = record.CategoryId;
                WriteCategoryStart(json, controllerId, categoryId, culture);
            }

            var fields = columns.TryGetValue((controllerId, categoryId), out var set) ? set : columns[(controllerId, categoryId)] = new SortedSet<string>(StringComparer.Ordinal);
            json.WriteStartObject();
            json.WriteNumber("id", record.Id);
            json.WriteString("date", record.RetentionFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            json.WriteString("summary", record.Summary);
            var retention = Retention(record, states);
            json.WriteString("retentionEnd", retention?.Until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (retention is { WhileRelationshipLasts: true })
            {
                // No date yet: the customer relationship the rule counts from still lasts.
                json.WriteString("retentionWhileRelationshipLasts", retention.Rule.Description.Get(culture));
            }

            json.WriteBoolean("restricted", record.RestrictedAt is not null);
            json.WriteString("source", record.SourceStoreId);
            json.WritePropertyName("content");
            WriteContent(json, record.Content, fields);
            json.WriteEndObject();
            if (json.BytesPending > 32 * 1024)
            {
                await json.FlushAsync(cancellationToken);
            }
        }

        if (controllerId is not null)
        {
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        foreach (var section in sections)
        {
            json.WritePropertyName(section.Name);
            await section.WriteAsync(json, subjectId, cancellationToken);
            await json.FlushAsync(cancellationToken);
        }

        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        return columns;
    }

    private async Task WriteCsvAsync(
        ZipArchive zip, Guid subjectId, IReadOnlyDictionary<string, RelationshipState> states, Dictionary<(string, string), SortedSet<string>> columns, CultureInfo culture, CancellationToken cancellationToken)
    {
        Stream? stream = null;
        StreamWriter? writer = null;
        string[] fields = [];
        (string, string)? current = null;
        var line = new StringBuilder();
        try
        {
            await foreach (var record in Records(subjectId).WithCancellation(cancellationToken))
            {
                var key = (record.ControllerId, record.CategoryId);
                if (current != key)
                {
                    if (writer is not null)
                    {
                        await writer.DisposeAsync();
                        await stream!.DisposeAsync();
                    }

                    current = key;
                    fields = [.. columns.GetValueOrDefault(key) ?? []];
                    stream = await zip.CreateEntry($"csv/{SafeName(key.ControllerId)}/{SafeName(key.CategoryId)}.csv", CompressionLevel.Fastest).OpenAsync(cancellationToken);
                    // UTF-8 with BOM, so spreadsheet programs read æøå and õäöü right.
                    writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 16 * 1024);
                    line.Clear();
                    Csv.AppendRow(line, ["id", "date", "summary", "retention_end", "restricted", "source", .. fields]);
                    await writer.WriteAsync(line, cancellationToken);
                }

                line.Clear();
                var values = ContentValues(record.Content);
                Csv.AppendRow(line,
                [
                    record.Id.ToString(CultureInfo.InvariantCulture),
                    record.RetentionFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    record.Summary,
                    Retention(record, states) is { } retention
                        ? retention.Until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? retention.Rule.Description.Get(culture)
                        : null,
                    record.RestrictedAt is not null ? "yes" : "no",
                    record.SourceStoreId,
                    .. fields.Select(f => values.GetValueOrDefault(f)),
                ]);
                await writer!.WriteAsync(line, cancellationToken);
            }
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }

            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private IAsyncEnumerable<HeldRecord> Records(Guid subjectId) =>
        db.HeldRecords.AsNoTracking()
            .Where(r => r.SubjectId == subjectId)
            .OrderBy(r => r.ControllerId).ThenBy(r => r.CategoryId).ThenBy(r => r.RetentionFrom).ThenBy(r => r.Id)
            .AsAsyncEnumerable();

    private RecordRetention? Retention(HeldRecord record, IReadOnlyDictionary<string, RelationshipState> states) =>
        policy.FindCategory(record.ControllerId, record.CategoryId) is null
            ? null
            : relationships.RetentionOf(record.ControllerId, record.CategoryId, record.RetentionFrom, states.GetValueOrDefault(record.ControllerId));

    private void WriteControllerStart(Utf8JsonWriter json, string controllerId)
    {
        var controller = policy.FindController(controllerId);
        json.WriteStartObject();
        json.WriteString("id", controllerId);
        json.WriteString("legalName", controller?.LegalName);
        json.WriteString("registrationCode", controller?.RegistrationCode);
        json.WriteString("address", controller?.Address);
        json.WriteString("privacyEmail", controller?.PrivacyEmail);
        json.WriteStartArray("categories");
    }

    private void WriteCategoryStart(Utf8JsonWriter json, string controllerId, string categoryId, CultureInfo culture)
    {
        var category = policy.FindCategory(controllerId, categoryId);
        json.WriteStartObject();
        json.WriteString("id", categoryId);
        json.WriteString("name", category?.Name.Get(culture));
        if (category is not null)
        {
            json.WriteStartArray("purposes");
            foreach (var purpose in policy.PurposesOf(category))
            {
                json.WriteStartObject();
                json.WriteString("purpose", purpose.Name.Get(culture));
                json.WriteStartArray("legalBases");
                foreach (var basis in policy.LegalBasesOf(purpose))
                {
                    json.WriteStringValue(basis.Name.Get(culture));
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            var rule = policy.RetentionRuleOf(category);
            json.WriteStartObject("retention");
            json.WriteString("description", rule.Description.Get(culture));
            json.WriteString("law", rule.Law?.Get(culture));
            json.WriteBoolean("legalRetentionDuty", category.LegalRetentionDuty);
            json.WriteEndObject();
            json.WriteStartArray("recipients");
            foreach (var recipient in policy.RecipientsOf(category))
            {
                json.WriteStringValue(recipient.Name.Get(culture));
            }

            json.WriteEndArray();
            json.WriteStartArray("transfers");
            foreach (var transfer in policy.TransfersOf(category))
            {
                json.WriteStringValue(transfer.Description.Get(culture));
            }

            json.WriteEndArray();
        }

        json.WriteStartArray("records");
    }

    private static void WriteContent(Utf8JsonWriter json, string content, SortedSet<string> fields)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    fields.Add(property.Name);
                }
            }

            document.RootElement.WriteTo(json);
        }
        catch (JsonException)
        {
            json.WriteStringValue(content);
        }
    }

    private static Dictionary<string, string> ContentValues(string content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind != JsonValueKind.Object
                ? []
                : ValuesOf(document.RootElement);
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// Field names to values. Content stored before pushes refused duplicate names may have one
    /// twice; the last wins, as in JavaScript, rather than the export failing half-way.
    /// </summary>
    private static Dictionary<string, string> ValuesOf(JsonElement content)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in content.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() ?? "" : property.Value.GetRawText();
        }

        return values;
    }

    private static string SafeName(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}
