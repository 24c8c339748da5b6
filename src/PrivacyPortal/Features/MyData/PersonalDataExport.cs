using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Time;
using PrivacyPortal.Features.Retention;

namespace PrivacyPortal.Features.MyData;

/// <summary>
/// Art. 15(3)/Art. 20: a zip with <c>data.json</c> (schema in docs/export-schema.md) and one CSV per
/// category, plus <c>about/categories.csv</c>, <c>about/rights.csv</c>, <c>about/automated-decisions.csv</c>
/// and <c>about/authorities.csv</c> with the rest of the Art. 15(1) information (beside <c>csv/</c>,
/// which holds records only). Records are streamed from the database straight into the zip, twice (JSON, then
/// CSV), so memory stays flat however many records a person has.
/// </summary>
public sealed class PersonalDataExport(
    PortalDbContext db,
    PolicyCatalog policy,
    CustomerRelationships relationships,
    TimeProvider time,
    AccessInformation accessInformation,
    IOptions<PortalOptions> portal,
    IEnumerable<IExportSection> sections,
    IStringLocalizer<Localization.MyData> text,
    FieldLabels labels)
{
    public const int SchemaVersion = 1;
    // A file to download and read, not HTML: Norwegian and Estonian letters (and < > & ') as they
    // are, not as \u00F8 escapes. The relaxed encoder still escapes what JSON itself requires.
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly HtmlEncoder ReadmeEncoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);
    private static readonly string[] CategoriesHeader = ["controller", "category", "name", "source", "purposes", "retention", "law", "recipients", "transfers"];

    public async Task WriteZipAsync(Guid subjectId, Stream output, CultureInfo culture, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(culture);
        using var language = new Infrastructure.Localization.CultureScope(culture);
        await using var body = new AsyncWritesStream(output);
        await using (var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8, cancellationToken))
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var states = await relationships.OfPersonAsync(subjectId, today, cancellationToken);
            var columns = await WriteJsonAsync(zip, subjectId, states, culture, cancellationToken);
            await WriteCsvAsync(zip, subjectId, states, columns, culture, cancellationToken);
            await WriteInformationCsvAsync(zip, columns.Keys, culture, cancellationToken);
            await WriteReadmeAsync(zip, columns.Keys, culture, cancellationToken);
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
        WritePolicyRevisions(json, culture);
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
        WriteAccessInformation(json, accessInformation.For(culture));

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
                    Csv.AppendRow(line, [.. Headers("id", "date", "summary", "retention_end", "restricted", "source"), .. fields.Select(labels.For)]);
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
                    record.RestrictedAt is not null ? text["Export.Csv.Yes"] : text["Export.Csv.No"],
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
            json.WriteString("source", category.Source.Get(culture));
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

    private void WritePolicyRevisions(Utf8JsonWriter json, CultureInfo culture)
    {
        var revisions = policy.RevisionsOn(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        json.WriteStartObject("policy");
        WriteRevision(json, "inForce", revisions.InForce, null);
        WriteRevision(json, "coming", revisions.Coming, revisions.ComingSummary?.Get(culture));
        json.WriteEndObject();
    }

    private static void WriteRevision(Utf8JsonWriter json, string name, PolicyRevisionInfo? revision, string? summary)
    {
        if (revision is null)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("revision", revision.Revision);
        json.WriteString("effectiveDate", IsoDate(revision.EffectiveDate));
        if (summary is not null)
        {
            json.WriteString("changes", summary);
        }

        json.WriteEndObject();
    }

    private void WriteAccessInformation(Utf8JsonWriter json, AccessInformationTexts information)
    {
        json.WriteStartArray("rights");
        foreach (var right in information.Rights)
        {
            json.WriteStartObject();
            json.WriteString("right", JsonNamingPolicy.CamelCase.ConvertName(right.Right.ToString()));
            json.WriteString("name", right.Name);
            json.WriteString("description", right.Body);
            json.WriteString("requestForm", portal.Value.Link(right.RequestPath).AbsoluteUri);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("automatedDecisions");
        foreach (var statement in information.AutomatedDecisions)
        {
            json.WriteStartObject();
            json.WriteString("controller", statement.ControllerId);
            json.WriteString("statement", statement.Text);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("supervisoryAuthorities");
        foreach (var company in information.Authorities)
        {
            foreach (var authority in company.Authorities)
            {
                json.WriteStartObject();
                json.WriteString("controller", company.ControllerId);
                json.WriteString("name", authority.Name);
                json.WriteString("when", authority.When);
                json.WriteString("address", authority.Address);
                json.WriteString("email", authority.Email);
                json.WriteString("web", authority.Web.AbsoluteUri);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
    }

    /// <summary>The Art. 15(1) information beside the records, as small CSV files for spreadsheets.</summary>
    private async Task WriteInformationCsvAsync(ZipArchive zip, IEnumerable<(string Controller, string Category)> held, CultureInfo culture, CancellationToken cancellationToken)
    {
        var information = accessInformation.For(culture);
        var categories = new List<string?[]> { Headers(CategoriesHeader) };
        foreach (var (controllerId, categoryId) in held.OrderBy(k => k.Controller, StringComparer.Ordinal).ThenBy(k => k.Category, StringComparer.Ordinal))
        {
            if (policy.FindCategory(controllerId, categoryId) is not { } category)
            {
                continue;
            }

            var rule = policy.RetentionRuleOf(category);
            categories.Add(
            [
                controllerId,
                categoryId,
                category.Name.Get(culture),
                category.Source.Get(culture),
                string.Join("; ", policy.PurposesOf(category).Select(p => $"{p.Name.Get(culture)} ({string.Join(", ", policy.LegalBasesOf(p).Select(b => b.Name.Get(culture)))})")),
                rule.Description.Get(culture),
                rule.Law?.Get(culture),
                string.Join("; ", policy.RecipientsOf(category).Select(r => r.Name.Get(culture))),
                string.Join("; ", policy.TransfersOf(category).Select(t => t.Description.Get(culture))),
            ]);
        }

        await WriteCsvEntryAsync(zip, "about/categories.csv", categories, cancellationToken);
        await WriteCsvEntryAsync(zip, "about/rights.csv",
        [
            Headers("right", "name", "description", "request_form"),
            .. information.Rights.Select(r => new string?[] { JsonNamingPolicy.CamelCase.ConvertName(r.Right.ToString()), r.Name, r.Body, portal.Value.Link(r.RequestPath).AbsoluteUri }),
        ], cancellationToken);
        await WriteCsvEntryAsync(zip, "about/automated-decisions.csv",
        [
            Headers("controller", "statement"),
            .. information.AutomatedDecisions.Select(a => new string?[] { a.ControllerId, a.Text }),
        ], cancellationToken);
        await WriteCsvEntryAsync(zip, "about/authorities.csv",
        [
            Headers("controller", "authority", "when", "address", "email", "web"),
            .. information.Authorities.SelectMany(c => c.Authorities.Select(a => new string?[] { c.ControllerId, a.Name, a.When, a.Address, a.Email, a.Web.AbsoluteUri })),
        ], cancellationToken);
    }

    private static async Task WriteCsvEntryAsync(ZipArchive zip, string name, IEnumerable<string?[]> rows, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        foreach (var row in rows)
        {
            Csv.AppendRow(line, row);
        }

        await using var stream = await zip.CreateEntry(name, CompressionLevel.Fastest).OpenAsync(cancellationToken);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        await writer.WriteAsync(line, cancellationToken);
    }

    /// <summary>Column names in the person's language ("Oppbevares til"); docs/export-schema.md lists the English ones.</summary>
    private string?[] Headers(params string[] names) => [.. names.Select(n => (string?)text["Export.Csv." + n].Value)];

    /// <summary>A content field as a column title: "widthMm" becomes "Width mm".</summary>
    public static string FieldLabel(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var words = new StringBuilder(field.Length + 4);
        for (var i = 0; i < field.Length; i++)
        {
            var c = field[i];
            if (c is '_' or '-')
            {
                words.Append(' ');
                continue;
            }

            if (i > 0 && char.IsUpper(c) && !char.IsUpper(field[i - 1]))
            {
                words.Append(' ');
            }

            words.Append(words.Length == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
        }

        return words.ToString();
    }

    /// <summary>README.html: what each file is, in the person's language, readable in any browser.</summary>
    private async Task WriteReadmeAsync(ZipArchive zip, IEnumerable<(string Controller, string Category)> held, CultureInfo culture, CancellationToken cancellationToken)
    {
        static string E(string value) => ReadmeEncoder.Encode(value);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(culture.Name).Append("\">\n<head><meta charset=\"utf-8\"><title>")
            .Append(E(text["Export.Readme.Title"])).Append("</title></head>\n<body>\n<h1>").Append(E(text["Export.Readme.Title"])).Append("</h1>\n")
            .Append("<p>").Append(E(text["Export.Readme.Intro", DateTexts.Date(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), culture)])).Append("</p>\n<dl>\n");
        void Entry(string name, string description) =>
            html.Append("<dt><code>").Append(E(name)).Append("</code></dt><dd>").Append(E(description)).Append("</dd>\n");
        Entry("data.json", text["Export.Readme.DataJson"]);
        foreach (var (controllerId, categoryId) in held.OrderBy(k => k.Controller, StringComparer.Ordinal).ThenBy(k => k.Category, StringComparer.Ordinal))
        {
            var company = policy.FindController(controllerId)?.LegalName ?? controllerId;
            var category = policy.FindCategory(controllerId, categoryId)?.Name.Get(culture) ?? categoryId;
            Entry($"csv/{SafeName(controllerId)}/{SafeName(categoryId)}.csv", text["Export.Readme.CategoryCsv", company, category]);
        }

        Entry("about/categories.csv", text["Export.Readme.Categories"]);
        Entry("about/rights.csv", text["Export.Readme.Rights"]);
        Entry("about/automated-decisions.csv", text["Export.Readme.AutomatedDecisions"]);
        Entry("about/authorities.csv", text["Export.Readme.Authorities"]);
        html.Append("</dl>\n<h2>").Append(E(text["Export.Readme.SpreadsheetsHeading"])).Append("</h2>\n<p>").Append(E(text["Export.Readme.Spreadsheets"])).Append("</p>\n")
            .Append("<p>").Append(E(text["Export.Readme.Questions", portal.Value.Link($"/{culture.Name}/requests/new").AbsoluteUri])).Append("</p>\n</body>\n</html>\n");

        await using var stream = await zip.CreateEntry("README.html", CompressionLevel.Fastest).OpenAsync(cancellationToken);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        await writer.WriteAsync(html, cancellationToken);
    }

    private static string IsoDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

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
