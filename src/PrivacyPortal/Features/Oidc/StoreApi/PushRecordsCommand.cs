using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Preferences;

namespace PrivacyPortal.Features.Oidc.StoreApi;

/// <summary>One record as a store sends it.</summary>
/// <param name="Dates">The start-event dates sent, by field name (<c>transactionDate</c>, <c>relationshipEnd</c>…, or the older <c>retentionFrom</c>).</param>
/// <param name="RelationshipActiveSaid">The store's <c>relationshipActive</c>, when sent.</param>
/// <param name="RetentionFrom">Resolved against the category's rule before anything is written.</param>
/// <param name="RelationshipActive">Resolved with <paramref name="RetentionFrom"/>.</param>
public sealed record PushedRecord(
    string ExternalId,
    string? Email,
    Guid? Sub,
    string Category,
    string Summary,
    string Content,
    IReadOnlyDictionary<string, DateOnly> Dates,
    bool? RelationshipActiveSaid = null,
    DateOnly RetentionFrom = default,
    bool RelationshipActive = false);

public sealed record PushOutcome(string ExternalId, string Sub, string Status);

/// <summary>The first problem found in a push, named by its JSON path (e.g. <c>records[2].category</c>).</summary>
public sealed class PushValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Idempotent upsert of held records pushed by a store: keyed by (store, external id), for a person
/// found by <c>sub</c> or email (an unknown email becomes a new person, who can then sign in and see
/// the data). The whole batch is checked against the policy's categories of the store's company,
/// and each record against the kind of person its category applies to, before anything is written,
/// so a bad record changes nothing. Parallel pushes of the same records (retries) end as one row each.
/// </summary>
public sealed class PushRecordsCommand(
    PortalDbContext db,
    PolicyCatalog policy,
    UserManager<DataSubject> users,
    SuppressionList suppressions,
    MarketingPreferenceState preferenceState,
    ChangeMarketingPreferenceCommand preferences,
    TimeProvider time)
{
    public const int MaxBatch = 500;

    /// <summary>Parallel retries of one push race for the same rows; the loser re-reads and updates, this many times at most.</summary>
    private const int MaxAttempts = 3;

    /// <summary>No record of a living person counts from before this; the retention arithmetic stays far from the calendar's end.</summary>
    public static readonly DateOnly EarliestRetentionFrom = new(1900, 1, 1);

    /// <summary>The field the first stores sent for every category; still taken as the date of the category's own start event.</summary>
    public const string LegacyDateField = "retentionFrom";

    /// <summary>No policy lets an event lie further ahead than this (complaint periods run up to 5 years).</summary>
    public const int MaxYearsAhead = 10;

    private static readonly string[] DateFields =
        [.. Enum.GetValues<RetentionAnchor>().Select(RetentionAnchors.FieldName), LegacyDateField];

    /// <summary>
    /// Parses the body; <paramref name="today"/> bounds the dates loosely here (the category's rule
    /// bounds them exactly in <see cref="ExecuteAsync"/>, once the category is known).
    /// </summary>
    public static IReadOnlyList<PushedRecord> Parse(JsonElement body, DateOnly today)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("records", out var records) || records.ValueKind != JsonValueKind.Array)
        {
            throw new PushValidationException("records", "The body must be an object with a 'records' array.");
        }

        // A field sent twice would mean two things at once, and only one of them could be shown.
        RefuseDuplicateNames(body, "");

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

            var dates = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
            foreach (var field in DateFields)
            {
                if (OptionalString(record, path, field, 10) is not { } text)
                {
                    continue;
                }

                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    throw new PushValidationException($"{path}.{field}", $"{field} must be a date, yyyy-MM-dd.");
                }

                var latest = today.AddYears(MaxYearsAhead);
                if (date < EarliestRetentionFrom || date > latest)
                {
                    throw new PushValidationException($"{path}.{field}",
                        string.Create(CultureInfo.InvariantCulture, $"{field} must be between {EarliestRetentionFrom:yyyy-MM-dd} and {latest:yyyy-MM-dd}."));
                }

                dates[field] = date;
            }

            bool? relationshipActive = null;
            if (record.TryGetProperty("relationshipActive", out var active) && active.ValueKind != JsonValueKind.Null)
            {
                relationshipActive = active.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? active.GetBoolean()
                    : throw new PushValidationException($"{path}.relationshipActive", "relationshipActive must be true or false.");
            }

            parsed.Add(new PushedRecord(externalId, email, sub, category, summary, content.GetRawText(), dates, relationshipActive));
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
        var categories = new DataCategory[records.Count];
        var resolved = new PushedRecord[records.Count];
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        for (var i = 0; i < records.Count; i++)
        {
            categories[i] = policy.FindCategory(controller.Id, records[i].Category)
                ?? throw new PushValidationException($"records[{i}].category",
                    $"'{records[i].Category}' is not a data category of {controller.LegalName} in policy revision {policy.Revision}.");
            resolved[i] = ResolveStart(records[i], $"records[{i}]", policy.RetentionRuleOf(categories[i]), today);
        }

        records = resolved;

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcomes = await UpsertAsync(store, controller.Id, records, categories, cancellationToken);
                await KeepErasedAddressesSuppressedAsync(store, records, outcomes, cancellationToken);
                return outcomes;
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e) && attempt < MaxAttempts)
            {
                // A parallel push of the same records (a store retrying) inserted first: read again, update.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<IReadOnlyList<PushOutcome>> UpsertAsync(
        StoreCaller store, string controllerId, IReadOnlyList<PushedRecord> records, DataCategory[] categories, CancellationToken cancellationToken)
    {
        // Everyone is looked up, and every record checked against its person's kind, before any new
        // person is made from an email, so a refused batch leaves nothing behind.
        var known = new Dictionary<int, (Guid Id, AccountKind Kind)>();
        var newPeople = new Dictionary<string, AccountKind>(StringComparer.Ordinal);
        var unknownSubs = new HashSet<int>();
        for (var i = 0; i < records.Count; i++)
        {
            if (await FindSubjectAsync(records[i], cancellationToken) is { } found)
            {
                known[i] = found;
            }
            else if (records[i].Sub is not null)
            {
                unknownSubs.Add(i);
            }
            else if (!newPeople.ContainsKey(records[i].Email!))
            {
                // A new person is a business contact when the store first tells of them with B2B-only data.
                newPeople[records[i].Email!] = Applies(categories[i], AccountKind.Consumer) || !Applies(categories[i], AccountKind.BusinessContact)
                    ? AccountKind.Consumer
                    : AccountKind.BusinessContact;
            }
        }

        // An unknown sub and a category that does not fit the person get one answer, so a store cannot
        // learn from it whether someone has an account, nor whether they are a consumer or a business contact.
        for (var i = 0; i < records.Count; i++)
        {
            if (unknownSubs.Contains(i)
                || !Applies(categories[i], known.TryGetValue(i, out var person) ? person.Kind : newPeople[records[i].Email!]))
            {
                throw new PushValidationException($"records[{i}]",
                    $"'{records[i].Category}' records cannot be held on this person: the person is unknown, or the category does not apply to them (it applies to: {string.Join(", ", categories[i].Subjects).ToLowerInvariant()}).");
            }
        }

        var created = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var (email, kind) in newPeople)
        {
            var first = Enumerable.Range(0, records.Count).First(i => !known.ContainsKey(i) && records[i].Email == email);
            created[email] = await CreateSubjectAsync(email, kind, $"records[{first}].email", cancellationToken);
        }

        var subjects = Enumerable.Range(0, records.Count).Select(i => known.TryGetValue(i, out var p) ? p.Id : created[records[i].Email!]).ToList();
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
                && row.Content == pushed.Content && row.RetentionFrom == pushed.RetentionFrom && row.RelationshipActive == pushed.RelationshipActive)
            {
                status = "unchanged";
            }

            row.SubjectId = subjects[i];
            row.ControllerId = controllerId;
            row.CategoryId = pushed.Category;
            row.Summary = pushed.Summary;
            row.Content = pushed.Content;
            row.RetentionFrom = pushed.RetentionFrom;
            row.RelationshipActive = pushed.RelationshipActive;
            if (status != "unchanged")
            {
                row.UpdatedAt = now;
            }

            outcomes.Add(new PushOutcome(pushed.ExternalId, subjects[i].ToString(), status));
        }

        await db.SaveChangesAsync(cancellationToken);
        return outcomes;
    }

    /// <summary>
    /// An address on the suppression list belonged to a person who was erased: whoever it now names
    /// gets a stop, by that erasure, for every preference they have said nothing about at each company
    /// that listed it. A choice the person made since (only they can switch marketing on) stays.
    /// Every store's feed then carries the stops.
    /// </summary>
    private async Task KeepErasedAddressesSuppressedAsync(StoreCaller store, IReadOnlyList<PushedRecord> records, IReadOnlyList<PushOutcome> outcomes, CancellationToken cancellationToken)
    {
        var people = records
            .Select((r, i) => (r.Email, Subject: Guid.Parse(outcomes[i].Sub)))
            .Where(p => p.Email is not null)
            .DistinctBy(p => p.Subject)
            .ToList();
        if (people.Count == 0)
        {
            return;
        }

        var suppressed = await suppressions.FindAsync(people.Select(p => p.Email!), cancellationToken);
        foreach (var (email, subject) in people)
        {
            if (!suppressed.TryGetValue(email!, out var at))
            {
                continue;
            }

            var current = await preferenceState.LoadAsync(subject, cancellationToken);
            foreach (var (controllerId, requestId) in at)
            {
                var stops = current.Values
                    .Where(p => p.Key.ControllerId == controllerId && p.Version == 0)
                    .Select(p => new PreferenceChange(p.Key, Enable: false))
                    .ToList();
                if (stops.Count > 0)
                {
                    await preferences.ExecuteAsync(subject, stops, PreferenceActor.Erasure(requestId, store.StoreId), cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// The date the category's rule counts from, sent under the rule's own start event (or as
    /// <c>retentionFrom</c>). An event that has happened cannot be dated after tomorrow (a store may
    /// be a time zone ahead); a complaint period's end may lie as far ahead as the rule allows. For a
    /// rule counting from the end of the customer relationship, <c>relationshipActive: true</c>
    /// stands for the date: the store says today that it still lasts.
    /// </summary>
    private static PushedRecord ResolveStart(PushedRecord record, string path, RetentionRule rule, DateOnly today)
    {
        var field = RetentionAnchors.FieldName(rule.CountsFrom);
        var anchor = JsonObjectReader.EnumName(rule.CountsFrom);
        if (record.Dates.Keys.FirstOrDefault(f => f != field && f != LegacyDateField) is { } other)
        {
            throw new PushValidationException($"{path}.{other}", $"'{record.Category}' is kept counting from '{anchor}': send {field}, not {other}.");
        }

        if (record.Dates.ContainsKey(field) && record.Dates.ContainsKey(LegacyDateField))
        {
            throw new PushValidationException($"{path}.{LegacyDateField}", $"send {field} alone; {LegacyDateField} is its older name.");
        }

        var isRelationship = rule.CountsFrom == RetentionAnchor.RelationshipEnd;
        if (record.RelationshipActiveSaid is not null && !isRelationship)
        {
            throw new PushValidationException($"{path}.relationshipActive", $"'{record.Category}' is not kept counting from the end of the customer relationship.");
        }

        var sent = record.Dates.TryGetValue(field, out var date) ? field : record.Dates.ContainsKey(LegacyDateField) ? LegacyDateField : null;
        if (record.RelationshipActiveSaid is true)
        {
            return sent is null
                ? record with { RetentionFrom = today, RelationshipActive = true }
                : throw new PushValidationException($"{path}.{sent}", "a relationship that is still active has no end date; send relationshipActive: true alone.");
        }

        if (sent is null)
        {
            throw new PushValidationException($"{path}.{field}", isRelationship
                ? $"'{record.Category}' is kept counting from the end of the customer relationship: send {field} (the day it ended) or relationshipActive: true."
                : $"{field} is required: '{record.Category}' is kept counting from '{anchor}'.");
        }

        date = record.Dates[sent];
        var latest = RetentionAnchors.MayLieAhead(rule.CountsFrom) ? today.AddYears(rule.StartsUpToYearsAhead ?? 0) : today.AddDays(1);
        if (date > latest)
        {
            throw new PushValidationException($"{path}.{sent}", RetentionAnchors.MayLieAhead(rule.CountsFrom)
                ? string.Create(CultureInfo.InvariantCulture, $"{field} may lie at most {rule.StartsUpToYearsAhead} years ahead, until {latest:yyyy-MM-dd}.")
                : string.Create(CultureInfo.InvariantCulture, $"{field} is the date of '{anchor}', which has happened: it cannot be after {latest:yyyy-MM-dd}."));
        }

        return record with { RetentionFrom = date, RelationshipActive = false };
    }

    /// <summary>Staff hold customer data like anyone else, as consumers.</summary>
    private static bool Applies(DataCategory category, AccountKind kind) =>
        category.Subjects.Contains(kind == AccountKind.BusinessContact ? SubjectKind.B2b : SubjectKind.Consumer);

    /// <summary>The person of a record; null for an email nobody has yet or a sub nobody has.</summary>
    private async Task<(Guid Id, AccountKind Kind)?> FindSubjectAsync(PushedRecord record, CancellationToken cancellationToken)
    {
        if (record.Sub is { } sub)
        {
            var bySub = await db.Users.AsNoTracking().Where(u => u.Id == sub).Select(u => new { u.Id, u.Kind }).FirstOrDefaultAsync(cancellationToken);
            return bySub is null ? null : (bySub.Id, bySub.Kind);
        }

        var normalized = record.Email!.ToUpperInvariant();
        var byEmail = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => new { u.Id, u.Kind }).FirstOrDefaultAsync(cancellationToken);
        return byEmail is null ? null : (byEmail.Id, byEmail.Kind);
    }

    private async Task<Guid> CreateSubjectAsync(string email, AccountKind kind, string path, CancellationToken cancellationToken)
    {
        var person = new DataSubject
        {
            Id = Guid.NewGuid(),
            Email = email,
            UserName = email,
            EmailConfirmed = false,
            Kind = kind,
            CreatedAt = time.GetUtcNow(),
        };
        IdentityResult created;
        try
        {
            created = await users.CreateAsync(person);
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // A parallel push made the same person between our look-up and this insert.
            db.ChangeTracker.Clear();
            created = IdentityResult.Failed(new IdentityErrorDescriber().DuplicateEmail(email));
        }

        if (created.Succeeded)
        {
            return person.Id;
        }

        var normalized = email.ToUpperInvariant();
        var racer = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);
        return racer ?? throw new PushValidationException(path, string.Join(" ", created.Errors.Select(e => e.Description)));
    }

    private static void RefuseDuplicateNames(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                RefuseDuplicateNames(item, $"{path}[{index++}]");
            }
        }
        else if (element.ValueKind == JsonValueKind.Object)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var field = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                if (!names.Add(property.Name))
                {
                    throw new PushValidationException(field, $"'{property.Name}' appears twice in the same object.");
                }

                RefuseDuplicateNames(property.Value, field);
            }
        }
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
