using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>The answer of a staff or person action on a request: done, or the key of a message saying why not.</summary>
public sealed record RequestActionOutcome(bool Succeeded, string? ErrorKey = null, object[]? Arguments = null)
{
    public static readonly RequestActionOutcome Done = new(true);

    public static RequestActionOutcome Fail(string key, params object[] arguments) => new(false, key, arguments);
}

/// <summary>What every action on a request shares: loading it with its person, timeline lines, the email, the audit line.</summary>
public sealed class RequestWorkflow(PortalDbContext db, RequestEmails emails, StaffAudit audit, TimeProvider time)
{
    public PortalDbContext Db => db;

    public DateTimeOffset Now => time.GetUtcNow();

    public DateOnly Today => Deadlines.Day(time.GetUtcNow());

    public async Task<(PrivacyRequest Request, DataSubject Person)?> LoadAsync(Guid requestId, CancellationToken cancellationToken)
    {
        var request = await db.Set<PrivacyRequest>().FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null)
        {
            return null;
        }

        var person = await db.Users.FirstAsync(u => u.Id == request.SubjectId, cancellationToken);
        return (request, person);
    }

    public static RequestActionOutcome? CheckText(string? text, bool required, out string? trimmed)
    {
        trimmed = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        if (trimmed is null)
        {
            return required ? RequestActionOutcome.Fail("Error.TextRequired") : null;
        }

        return trimmed.Length > RequestLimits.TextLength
            ? RequestActionOutcome.Fail("Error.TooLong", RequestLimits.TextLength, trimmed.Length)
            : null;
    }

    public void AddEvent(PrivacyRequest request, RequestEventKind kind, Guid? actorId, bool byStaff, string? text)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = time.GetUtcNow();
        request.UpdatedAt = now;
        request.RecordAnswer(kind, Deadlines.Day(now));
        db.Set<PrivacyRequestEvent>().Add(new PrivacyRequestEvent
        {
            RequestId = request.Id,
            OccurredAt = now,
            Kind = kind,
            ActorId = actorId,
            ByStaff = byStaff,
            Text = text is { Length: > RequestLimits.EventTextLength } ? text[..RequestLimits.EventTextLength] : text,
        });
    }

    /// <summary>An email to the person about the request, in this unit of work.</summary>
    public void Mail(RequestMail mail, PrivacyRequest request, DataSubject person, string? text = null)
    {
        ArgumentNullException.ThrowIfNull(person);
        emails.Queue(mail, request, new MailRecipient(person.Email ?? "", person.PreferredCulture), text);
    }

    /// <summary>Timeline line, email to the person and audit line of a staff action, all in this unit of work.</summary>
    public void StaffAction(PrivacyRequest request, DataSubject person, Guid staffId, RequestEventKind kind, string auditAction, RequestMail mail, string? text,
        IReadOnlyList<ErasurePlanLine>? lines = null, bool accountRemoved = false, string? mailTo = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(person);
        AddEvent(request, kind, staffId, byStaff: true, text);
        emails.Queue(mail, request, new MailRecipient(mailTo ?? person.Email ?? "", person.PreferredCulture), text, lines, accountRemoved);
        audit.Add(auditAction, request.SubjectId, $"{request.Reference} {request.Kind}", staffId);
    }
}
