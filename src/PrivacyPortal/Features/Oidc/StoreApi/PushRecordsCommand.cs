using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>One record as a store sends it.</summary>
public sealed record PushedRecord(
    string ExternalId,
    string? Email,
    Guid? Sub,
    string Category,
    string Summary,
    string Content,
    DateOnly RetentionFrom);

public sealed record PushOutcome(string ExternalId, string Sub, string Status);

/// <summary>The first problem found in a push, named by its JSON path (e.g. <c>records[2].category</c>).</summary>
public sealed class PushValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Idempotent upsert of held records pushed by a store: keyed by (store, external id), for a person
/// found by <c>sub</c> or email (an unknown email becomes a new person, who can then sign in and see
/// the data). The whole batch is checked against the policy's categories of the store's company
/// before anything is written, so a bad record changes nothing.
/// </summary>
public sealed class PushRecordsCommand(PortalDbContext db, PolicyCatalog policy, UserManager<DataSubject> users, TimeProvider time)
{
    public const int MaxBatch = 500;

    public static IReadOnlyList<PushedRecord> Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("records", out var records) || records.ValueKind != JsonValueKind.Array)
        {
            throw new PushValidationException("records", "The body must be an object with a 'records' array.");
        }

        if (records.GetArrayLength() is 0 or > MaxBatch)
        {
            throw new PushValidationException("records", $"Send between 1 and {MaxBatch} records.");
        }

        var parsed = new List<PushedRecord>();
        var index = 0;
        foreach (var record in records.EnumerateArray())
        {
            var path = $"records[{index}]";
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw new PushValidationException(path, "Each record must be an object.");
            }

            var externalId = RequiredString(record, path, "externalId", 200);
            var email = OptionalString(record, path, "email", EmailAddress.MaxLength);
            var subText = OptionalString(record, path, "sub", 64);
            Guid? sub = null;
            if (subText is not null)
            {
                sub = Guid.TryParse(subText, out var parsedSub) ? parsedSub : throw new PushValidationException($"{path}.sub", "sub must be the person's subject identifier from an ID token.");
            }

            if (email is null && sub is null)
            {
                throw new PushValidationException($"{path}.email", "Give the person's email or sub.");
            }

            if (email is not null && !EmailAddress.TryNormalize(email, out email))
            {
                throw new PushValidationException($"{path}.email", "email is not a valid address.");
            }

            var category = RequiredString(record, path, "category", 64);
            var summary = RequiredString(record, path, "summary", 500);
            if (!record.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Object)
            {
                throw new PushValidationException($"{path}.content", "content must be a JSON object of field names to values.");
            }

            var retentionText = RequiredString(record, path, "retentionFrom", 10);
            if (!DateOnly.TryParseExact(retentionText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var retentionFrom))
            {
                throw new PushValidationException($"{path}.retentionFrom", "retentionFrom must be a date, yyyy-MM-dd.");
            }

            parsed.Add(new PushedRecord(externalId, email, sub, category, summary, content.GetRawText(), retentionFrom));
            index++;
        }

        var duplicate = parsed.GroupBy(r => r.ExternalId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new PushValidationException($"records[{parsed.FindLastIndex(r => r.ExternalId == duplicate.Key)}].externalId", "externalId appears twice in the batch.");
        }

        return parsed;
    }

    public async Task<IReadOnlyList<PushOutcome>> ExecuteAsync(StoreCaller store, IReadOnlyList<PushedRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(records);
        var controller = policy.GetController(store.ControllerId);
        for (var i = 0; i < records.Count; i++)
        {
            if (policy.FindCategory(controller.Id, records[i].Category) is null)
            {
                throw new PushValidationException($"records[{i}].category",
                    $"'{records[i].Category}' is not a data category of {controller.LegalName} in policy revision {policy.Revision}.");
            }
        }

        // Subs are checked before any new person is made from an email, so a refused batch leaves nothing behind.
        var subjects = new Dictionary<int, Guid>();
        foreach (var i in Enumerable.Range(0, records.Count).OrderBy(i => records[i].Sub is null ? 1 : 0))
        {
            subjects[i] = await ResolveSubjectAsync(records[i], $"records[{i}]", cancellationToken);
        }

        var now = time.GetUtcNow();
        var externalIds = records.Select(r => r.ExternalId).ToList();
        var existing = await db.HeldRecords
            .Where(r => r.SourceStoreId == store.StoreId && externalIds.Contains(r.ExternalId!))
            .ToDictionaryAsync(r => r.ExternalId!, StringComparer.Ordinal, cancellationToken);
        var outcomes = new List<PushOutcome>();
        for (var i = 0; i < records.Count; i++)
        {
            var pushed = records[i];
            var status = "updated";
            if (!existing.TryGetValue(pushed.ExternalId, out var row))
            {
                row = new HeldRecord { SourceStoreId = store.StoreId, ExternalId = pushed.ExternalId, CreatedAt = now };
                db.HeldRecords.Add(row);
                status = "created";
            }
            else if (row.SubjectId == subjects[i] && row.CategoryId == pushed.Category && row.Summary == pushed.Summary
                && row.Content == pushed.Content && row.RetentionFrom == pushed.RetentionFrom)
            {
                status = "unchanged";
            }

            row.SubjectId = subjects[i];
            row.ControllerId = controller.Id;
            row.CategoryId = pushed.Category;
            row.Summary = pushed.Summary;
            row.Content = pushed.Content;
            row.RetentionFrom = pushed.RetentionFrom;
            if (status != "unchanged")
            {
                row.UpdatedAt = now;
            }

            outcomes.Add(new PushOutcome(pushed.ExternalId, subjects[i].ToString(), status));
        }

        await db.SaveChangesAsync(cancellationToken);
        return outcomes;
    }

    private async Task<Guid> ResolveSubjectAsync(PushedRecord record, string path, CancellationToken cancellationToken)
    {
        if (record.Sub is { } sub)
        {
            return await db.Users.AnyAsync(u => u.Id == sub, cancellationToken)
                ? sub
                : throw new PushValidationException($"{path}.sub", "No person has this sub.");
        }

        var normalized = record.Email!.ToUpperInvariant();
        var id = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);
        if (id is not null)
        {
            return id.Value;
        }

        var person = new DataSubject
        {
            Id = Guid.NewGuid(),
            Email = record.Email,
            UserName = record.Email,
            EmailConfirmed = false,
            Kind = AccountKind.Consumer,
            CreatedAt = time.GetUtcNow(),
        };
        var created = await users.CreateAsync(person);
        return created.Succeeded
            ? person.Id
            : throw new PushValidationException($"{path}.email", string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    private static string RequiredString(JsonElement record, string path, string name, int maxLength) =>
        OptionalString(record, path, name, maxLength) ?? throw new PushValidationException($"{path}.{name}", $"{name} is required.");

    private static string? OptionalString(JsonElement record, string path, string name, int maxLength)
    {
        if (!record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new PushValidationException($"{path}.{name}", $"{name} must be a string.");
        }

        var text = value.GetString()!.Trim();
        return text.Length > maxLength
            ? throw new PushValidationException($"{path}.{name}", $"{name} is longer than {maxLength} characters.")
            : text.Length == 0 ? null : text;
    }
}
