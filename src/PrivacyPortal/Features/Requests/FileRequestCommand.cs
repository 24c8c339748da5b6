using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Requests;

public sealed record FileRequestInput(
    RequestKind Kind,
    IReadOnlyList<string> ControllerIds,
    string? Details,
    Guid IdempotencyKey,
    long? RectifyRecordId = null,
    string? RectifyField = null,
    string? RectifyValue = null,
    IReadOnlyList<string?>? ObjectionPurposes = null,
    IReadOnlyList<CorrectionInput>? Corrections = null);

/// <summary>One value to correct as the form sends it: <c>{recordId}:{field}</c> and the correct value.</summary>
public sealed record CorrectionInput(string? Field, string? Value);

/// <summary>A field and the key of the message that says what is wrong with it (in the Requests resource).</summary>
public sealed record FieldError(string Field, string MessageKey, object[]? Arguments = null);

public sealed record FileRequestResult(Guid? RequestId, IReadOnlyList<FieldError> Errors)
{
    public bool Succeeded => RequestId is not null;
}

/// <summary>
/// Files a request for the signed-in person (their sign-in is the identity check), or, with an
/// <see cref="RequestIntake"/>, one staff received by email, phone, letter or in a store. The form's
/// idempotency key makes a double submission find the first request: one request, one email.
/// </summary>
public sealed class FileRequestCommand(
    PortalDbContext db,
    PolicyCatalog policy,
    ErasurePlanner planner,
    RequestEmails emails,
    ObjectionRestrictions objections,
    TimeProvider time)
{
    public async Task<FileRequestResult> ExecuteAsync(Guid subjectId, FileRequestInput input, CancellationToken cancellationToken, RequestIntake? intake = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var existing = await FindExistingAsync(subjectId, input.IdempotencyKey, cancellationToken);
        if (existing is not null)
        {
            return new FileRequestResult(existing, []);
        }

        // Find looks at the unit of work first: staff may record a request for a person created with it.
        var person = await db.Users.FindAsync([subjectId], cancellationToken)
            ?? throw new InvalidOperationException("Only a signed-in person with an account can file a request.");
        var errors = new List<FieldError>();
        var details = string.IsNullOrWhiteSpace(input.Details) ? null : input.Details.Trim();
        if (input.IdempotencyKey == Guid.Empty)
        {
            errors.Add(new FieldError("", "Error.FormExpired"));
        }

        if (!Enum.IsDefined(input.Kind))
        {
            errors.Add(new FieldError("Kind", "Error.KindRequired"));
        }

        if (details is { Length: > RequestLimits.TextLength })
        {
            errors.Add(new FieldError("Details", "Error.TooLong", [RequestLimits.TextLength, details.Length]));
        }
        else if (details is null && input.Kind == RequestKind.Complaint)
        {
            errors.Add(new FieldError("Details", "Error.ComplaintRequired"));
        }

        // An empty form value binds as a null entry: it names no company, so it is dropped, not looked up.
        var controllers = (input.ControllerIds ?? []).Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();
        var corrections = new List<Correction>();
        if (input.Kind == RequestKind.Rectification)
        {
            controllers = await ValidateCorrectionsAsync(subjectId, input, corrections, errors, cancellationToken);
        }
        else if (controllers.Count == 0)
        {
            errors.Add(new FieldError("Controllers", "Error.ControllersRequired"));
        }

        var right = ToRight(input.Kind);
        var chosen = controllers.Select(policy.FindController).ToList();
        if (chosen.Any(c => c is null))
        {
            errors.Add(new FieldError("Controllers", "Error.ControllersRequired"));
        }
        else if (chosen.Any(c => !c!.Rights.Offered.Contains(right)))
        {
            errors.Add(new FieldError("Controllers", "Error.RightNotOffered"));
        }

        IReadOnlyList<string>? purposes = null;
        if (input.Kind == RequestKind.Objection && errors.Count == 0)
        {
            // Only the purposes offered for the chosen companies; the free text may stand in for them.
            purposes = ObjectionPurposeOptions.Validate(policy, controllers, input.ObjectionPurposes ?? []);
            if (purposes is null)
            {
                errors.Add(new FieldError("Purposes", "Error.PurposeUnknown"));
            }
            else if (purposes.Count == 0 && details is null)
            {
                errors.Add(new FieldError("Details", "Error.ObjectionRequired"));
            }
        }

        if (errors.Count > 0)
        {
            return new FileRequestResult(null, errors);
        }

        var now = time.GetUtcNow();
        // Art. 12(3): the month runs from the day the request reached the group, not from data entry.
        var received = intake?.ReceivedOn ?? Deadlines.Day(now);
        var due = Deadlines.DueDate(received);
        var request = new PrivacyRequest
        {
            Id = Guid.NewGuid(),
            Reference = RequestReference.New(),
            SubjectId = subjectId,
            Kind = input.Kind,
            Status = RequestStatus.Received,
            Controllers = PrivacyRequest.JoinControllers(OrderLikePolicy(controllers)),
            Details = details,
            // The first correction also in its own columns, which every request of one value has.
            RectifyRecordId = corrections.FirstOrDefault()?.RecordId,
            RectifyField = corrections.FirstOrDefault()?.Field,
            RectifyOldValue = corrections.FirstOrDefault()?.OldValue,
            RectifyValue = corrections.FirstOrDefault()?.Value,
            CorrectionsJson = corrections.Count > 1 ? Correction.Serialize(corrections) : null,
            ObjectionPurposes = purposes is { Count: > 0 } ? PrivacyRequest.JoinControllers(purposes) : null,
            ReceivedAt = intake is null ? now : new DateTimeOffset(received.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            FirstDueOn = due,
            DueOn = due,
            UpdatedAt = now,
            IdempotencyKey = input.IdempotencyKey,
            Channel = intake?.Channel ?? RequestChannel.Portal,
            IdentityCheck = intake?.IdentityCheck,
            IdentityNote = intake?.IdentityNote,
            RecordedBy = intake?.StaffId,
        };

        IReadOnlyList<ErasurePlanLine>? plan = null;
        if (input.Kind == RequestKind.Erasure)
        {
            plan = await planner.PlanForAsync(subjectId, request.ControllerIds.ToList(), received, cancellationToken);
            request.PlanJson = ErasurePlanner.Serialize(plan);
        }

        db.Set<PrivacyRequest>().Add(request);
        db.Set<PrivacyRequestEvent>().Add(new PrivacyRequestEvent
        {
            RequestId = request.Id,
            OccurredAt = now,
            Kind = RequestEventKind.Filed,
            ActorId = intake?.StaffId ?? subjectId,
            ByStaff = intake is not null,
            Text = details,
        });
        db.AuditEvents.Add(new AuditEvent
        {
            OccurredAt = now,
            ActorId = intake?.StaffId ?? subjectId,
            SubjectId = subjectId,
            Action = intake is null ? "request.filed" : Staff.StaffAudit.Actions.RecordedRequest,
            Detail = intake is null
                ? $"{request.Reference} {request.Kind}"
                : $"{request.Reference} {request.Kind} by {intake.Channel}, received {received:yyyy-MM-dd}, identity: {intake.IdentityCheck}: {intake.IdentityNote}",
        });

        // Emails about the request speak the person's stored language (the one their account keeps
        // from a language switch), not the language of the page the request was filed on.
        emails.Queue(RequestMail.Filed, request, new MailRecipient(person.Email ?? "", person.PreferredCulture), lines: plan);

        // Art. 18(1)(d): the objected purposes are restricted while staff consider them, so the stores
        // holding the data are told in the same commit as the request.
        await using var transaction = purposes is { Count: > 0 } ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (transaction is not null)
        {
            await CursorFeedLock.QueueAsync(db, CursorFeedLock.RecipientTasks, cancellationToken);
            await objections.AddTasksAsync(request, purposes!, ObjectionRestrictions.RestrictAction, cancellationToken);
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        catch (DbUpdateException)
        {
            // The same form was submitted twice at once and the other submission won: one request, one email.
            if (transaction is not null)
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }

            db.ChangeTracker.Clear();
            var winner = await FindExistingAsync(subjectId, input.IdempotencyKey, CancellationToken.None);
            if (winner is null)
            {
                throw;
            }

            return new FileRequestResult(winner, []);
        }

        return new FileRequestResult(request.Id, []);
    }

    /// <summary>
    /// Checks each value to correct (the form's rows, or the single field of older callers): the
    /// record must be the person's and the field one of its plain values, the new value given and
    /// different. Rows left empty are skipped; the same field twice counts once. Returns the
    /// companies holding the records, to which the request goes.
    /// </summary>
    private async Task<List<string>> ValidateCorrectionsAsync(
        Guid subjectId, FileRequestInput input, List<Correction> corrections, List<FieldError> errors, CancellationToken cancellationToken)
    {
        var rows = input.Corrections is { Count: > 0 } given
            ? given
            : [new CorrectionInput(input.RectifyRecordId is { } id && input.RectifyField is { } f ? $"{id}:{f}" : null, input.RectifyValue)];
        rows = [.. rows.Where(r => !string.IsNullOrWhiteSpace(r.Field) || !string.IsNullOrWhiteSpace(r.Value))];
        if (rows.Count == 0)
        {
            errors.Add(new FieldError("Field", "Error.FieldUnknown"));
            errors.Add(new FieldError("Value", "Error.ValueRequired"));
            return [];
        }

        if (rows.Count > RequestLimits.Corrections)
        {
            errors.Add(new FieldError("Field", "Error.TooManyCorrections", [RequestLimits.Corrections]));
            return [];
        }

        var controllers = new List<string>();
        var seen = new HashSet<(long, string)>();
        foreach (var row in rows)
        {
            var value = row.Value?.Trim();
            HeldRecord? record = null;
            string? oldValue = null;
            string? field = null;
            if (row.Field?.Split(':', 2) is [var idText, var name] && long.TryParse(idText, CultureInfo.InvariantCulture, out var recordId))
            {
                field = name;
                record = await db.HeldRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Id == recordId && r.SubjectId == subjectId, cancellationToken);
            }

            if (record is null || field is null || !RectifiableFields.TryGet(record.Content, field, out oldValue))
            {
                errors.Add(new FieldError("Field", "Error.FieldUnknown"));
            }

            if (string.IsNullOrEmpty(value))
            {
                errors.Add(new FieldError("Value", "Error.ValueRequired"));
            }
            else if (value.Length > RequestLimits.ValueLength)
            {
                errors.Add(new FieldError("Value", "Error.TooLong", [RequestLimits.ValueLength, value.Length]));
            }
            else if (oldValue is not null && string.Equals(oldValue, value, StringComparison.Ordinal))
            {
                errors.Add(new FieldError("Value", "Error.ValueUnchanged"));
            }
            else if (record is not null && oldValue is not null && seen.Add((record.Id, field!)))
            {
                corrections.Add(new Correction(record.Id, field!, Truncate(oldValue, RequestLimits.ValueLength), value));
                if (!controllers.Contains(record.ControllerId, StringComparer.Ordinal))
                {
                    controllers.Add(record.ControllerId);
                }
            }
        }

        return controllers;
    }

    private async Task<Guid?> FindExistingAsync(Guid subjectId, Guid key, CancellationToken cancellationToken) =>
        key == Guid.Empty
            ? null
            : await db.Set<PrivacyRequest>().AsNoTracking()
                .Where(r => r.SubjectId == subjectId && r.IdempotencyKey == key)
                .Select(r => (Guid?)r.Id)
                .FirstOrDefaultAsync(cancellationToken);

    private IEnumerable<string> OrderLikePolicy(IReadOnlyCollection<string> ids) =>
        policy.Controllers.Select(c => c.Id).Where(ids.Contains);

    public static DataSubjectRight ToRight(RequestKind kind) => kind switch
    {
        RequestKind.Access => DataSubjectRight.Access,
        RequestKind.Rectification => DataSubjectRight.Rectification,
        RequestKind.Erasure => DataSubjectRight.Erasure,
        RequestKind.Restriction => DataSubjectRight.Restriction,
        RequestKind.Objection => DataSubjectRight.Objection,
        RequestKind.Portability => DataSubjectRight.Portability,
        _ => DataSubjectRight.Complaint,
    };

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}

/// <summary>The fields of a held record a person can ask to correct: the top-level values of its content.</summary>
public static class RectifiableFields
{
    public static IReadOnlyList<(string Field, string Value)> Of(string content)
    {
        try
        {
            using var json = JsonDocument.Parse(content);
            return json.RootElement.ValueKind != JsonValueKind.Object
                ? []
                : [.. json.RootElement.EnumerateObject()
                    .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                    .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText()))];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static bool TryGet(string content, string field, out string? value)
    {
        foreach (var (name, v) in Of(content))
        {
            if (string.Equals(name, field, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Replaces one top-level value, keeping the rest of the content as it was.</summary>
    public static string Set(string content, string field, string value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(content) as System.Text.Json.Nodes.JsonObject
            ?? throw new InvalidOperationException("The record's content is not a JSON object.");
        node[field] = value;
        return node.ToJsonString();
    }
}
