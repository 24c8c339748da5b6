using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PrivacyPortal.Data;

namespace PrivacyPortal.Features.Requests;

/// <summary>The rights a person can exercise through the portal; stored as numbers, so append only.</summary>
public enum RequestKind
{
    Access = 0,
    Rectification = 1,
    Erasure = 2,
    Restriction = 3,
    Objection = 4,
    Portability = 5,
    Complaint = 6,
}

public enum RequestStatus
{
    Received = 0,
    InProgress = 1,

    /// <summary>Staff asked the person for more information.</summary>
    AwaitingPerson = 2,

    /// <summary>Carried out (erased, rectified, answered…).</summary>
    Completed = 3,
    Refused = 4,
    Closed = 5,
}

/// <summary>A request or complaint from a person, with its legal deadline (Art. 12(3)).</summary>
public sealed class PrivacyRequest
{
    /// <summary>Random, so request addresses cannot be guessed; pages check ownership too.</summary>
    public Guid Id { get; set; }

    /// <summary>Short reference for people and emails, e.g. <c>R-7K3Q-9XWD</c>.</summary>
    public string Reference { get; set; } = "";

    public Guid SubjectId { get; set; }

    public RequestKind Kind { get; set; }

    public RequestStatus Status { get; set; }

    /// <summary>Controller ids the request is addressed to, as <c>,innore-no,innore-ee,</c> so one can be matched with LIKE.</summary>
    public string Controllers { get; set; } = ",";

    /// <summary>What the person wrote.</summary>
    public string? Details { get; set; }

    /// <summary>Rectification: the record, the field of its content, and the correct value.</summary>
    public long? RectifyRecordId { get; set; }

    public string? RectifyField { get; set; }

    public string? RectifyOldValue { get; set; }

    public string? RectifyValue { get; set; }

    /// <summary>
    /// Rectification of several values in one request: every correction as a JSON list of
    /// <see cref="Correction"/> (the first is also in the Rectify columns). Null for a request of one
    /// value filed before several could be asked for.
    /// </summary>
    public string? CorrectionsJson { get; set; }

    /// <summary>The values the person asked to correct, in the order they gave them.</summary>
    public IReadOnlyList<Correction> Corrections =>
        CorrectionsJson is { } json
            ? System.Text.Json.JsonSerializer.Deserialize<List<Correction>>(json, Correction.Json) ?? []
            : RectifyField is { } rectified
                ? [new Correction(RectifyRecordId ?? 0, rectified, RectifyOldValue, RectifyValue ?? "")]
                : [];

    /// <summary>Erasure: the plan as shown before filing (JSON list of <see cref="ErasurePlanLine"/>).</summary>
    public string? PlanJson { get; set; }

    /// <summary>What carrying out did (JSON list of <see cref="ErasurePlanLine"/>), for the person and staff.</summary>
    public string? OutcomeJson { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>One month after receipt (Art. 12(3)); never changes.</summary>
    public DateOnly FirstDueOn { get; set; }

    /// <summary>The deadline in force: <see cref="FirstDueOn"/>, or later after an extension.</summary>
    public DateOnly DueOn { get; set; }

    public int ExtensionMonths { get; set; }

    public string? ExtensionReason { get; set; }

    /// <summary>Objection (Art. 21(1)): the processing objected to, as <c>,controller/purpose,…,</c> from the policy's legitimate-interest purposes.</summary>
    public string? ObjectionPurposes { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Where the request came in; <see cref="RequestChannel.Portal"/> unless staff recorded it.</summary>
    public RequestChannel Channel { get; set; }

    /// <summary>Recorded by staff: how the identity was checked, with the note.</summary>
    public IdentityCheck? IdentityCheck { get; set; }

    public string? IdentityNote { get; set; }

    /// <summary>The member of staff who recorded a request received outside the portal.</summary>
    public Guid? RecordedBy { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>
    /// The day the person got the answer: the request was carried out, refused or closed, whichever
    /// came first; null while it is open. With <see cref="AnswerDays"/> and <see cref="Answer"/>
    /// it lets the privacy officer's reports count on-time answers in the database.
    /// </summary>
    public DateOnly? AnsweredOn { get; set; }

    /// <summary>Whole days from the day of receipt to <see cref="AnsweredOn"/>.</summary>
    public int? AnswerDays { get; set; }

    /// <summary>How the request was answered: <see cref="RequestEventKind.CarriedOut"/>, <see cref="RequestEventKind.Refused"/> or <see cref="RequestEventKind.Closed"/>.</summary>
    public RequestEventKind? Answer { get; set; }

    /// <summary>From the form; a second submission of the same form finds the first request.</summary>
    public Guid IdempotencyKey { get; set; }

    public IReadOnlyList<string> ControllerIds => Split(Controllers);

    public IReadOnlyList<string> ObjectionPurposeKeys => Split(ObjectionPurposes ?? "");

    public static string JoinControllers(IEnumerable<string> ids) => "," + string.Join(',', ids) + ",";

    public static IReadOnlyList<string> Split(string controllers) =>
        (controllers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    public static bool IsOpen(RequestStatus status) =>
        status is RequestStatus.Received or RequestStatus.InProgress or RequestStatus.AwaitingPerson;

    /// <summary>The timeline lines that answer a request (the first of them sets <see cref="AnsweredOn"/>).</summary>
    public static bool IsAnswer(RequestEventKind kind) =>
        kind is RequestEventKind.CarriedOut or RequestEventKind.Refused or RequestEventKind.Closed;

    /// <summary>Records the first answer; later ones (closing after carrying out) leave it as it was.</summary>
    public void RecordAnswer(RequestEventKind kind, DateOnly day)
    {
        if (!IsAnswer(kind) || AnsweredOn is not null)
        {
            return;
        }

        AnsweredOn = day;
        AnswerDays = day.DayNumber - Deadlines.Day(ReceivedAt).DayNumber;
        Answer = kind;
    }
}

public enum RequestEventKind
{
    Filed = 0,
    PersonMessage = 1,
    StaffMessage = 2,
    AskedForInformation = 3,
    Extended = 4,
    CarriedOut = 5,
    Refused = 6,
    Closed = 7,

    /// <summary>Staff decided purposes of an Art. 21(1) objection (upheld, or refused with grounds).</summary>
    ObjectionDecided = 8,
}

/// <summary>A line of a request's timeline; messages between the person and staff are lines too.</summary>
public sealed class PrivacyRequestEvent
{
    public long Id { get; set; }

    public Guid RequestId { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public RequestEventKind Kind { get; set; }

    /// <summary>The person or the staff member; null for the system.</summary>
    public Guid? ActorId { get; set; }

    public bool ByStaff { get; set; }

    public string? Text { get; set; }
}

internal sealed class PrivacyRequestConfiguration : IEntityTypeConfiguration<PrivacyRequest>
{
    public const string ReportIndexName = "IX_PrivacyRequests_Report";

    public void Configure(EntityTypeBuilder<PrivacyRequest> builder)
    {
        builder.ToTable("PrivacyRequests");
        builder.Ignore(r => r.ControllerIds);
        builder.Ignore(r => r.ObjectionPurposeKeys);
        builder.Ignore(r => r.Corrections);
        builder.Property(r => r.ObjectionPurposes).HasMaxLength(ObjectionPurposeOptions.StoredLength);
        builder.Property(r => r.Reference).HasMaxLength(20);
        builder.Property(r => r.Controllers).HasMaxLength(500);
        builder.Property(r => r.Details).HasMaxLength(RequestLimits.TextLength);
        builder.Property(r => r.RectifyField).HasMaxLength(100);
        builder.Property(r => r.RectifyOldValue).HasMaxLength(RequestLimits.ValueLength);
        builder.Property(r => r.RectifyValue).HasMaxLength(RequestLimits.ValueLength);
        builder.Property(r => r.ExtensionReason).HasMaxLength(RequestLimits.TextLength);
        builder.Property(r => r.IdentityNote).HasMaxLength(RequestIntake.IdentityNoteLength);
        builder.HasOne<DataSubject>().WithMany().HasForeignKey(r => r.SubjectId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.Reference).IsUnique();
        // a person's list, and finding a resubmitted form.
        builder.HasIndex(r => new { r.SubjectId, r.ReceivedAt });
        builder.HasIndex(r => new { r.SubjectId, r.IdempotencyKey }).IsUnique();
        // the staff queue: open requests by deadline.
        builder.HasIndex(r => new { r.Status, r.DueOn });
        // the privacy officer's reports: every column they group and count, so the index alone answers them.
        builder.HasIndex(r => new { r.ReceivedAt, r.Kind, r.Controllers, r.DueOn, r.AnsweredOn, r.AnswerDays, r.Answer, r.ExtensionMonths })
            .HasDatabaseName(ReportIndexName);
    }
}

internal sealed class PrivacyRequestEventConfiguration : IEntityTypeConfiguration<PrivacyRequestEvent>
{
    public void Configure(EntityTypeBuilder<PrivacyRequestEvent> builder)
    {
        builder.ToTable("PrivacyRequestEvents");
        builder.Property(e => e.Text).HasMaxLength(RequestLimits.EventTextLength);
        builder.HasOne<PrivacyRequest>().WithMany().HasForeignKey(e => e.RequestId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.RequestId, e.OccurredAt });
    }
}

/// <summary>How long the texts people and staff write may be.</summary>
/// <summary>One value of a held record the person asks to correct: the field of its content, the value held and the correct one.</summary>
public sealed record Correction(long RecordId, string Field, string? OldValue, string Value)
{
    internal static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static string Serialize(IReadOnlyList<Correction> corrections) => System.Text.Json.JsonSerializer.Serialize(corrections, Json);
}

public static class RequestLimits
{
    public const int TextLength = 4000;
    public const int ValueLength = 1000;

    /// <summary>How many values one rectification request may correct.</summary>
    public const int Corrections = 20;

    /// <summary>Event texts hold a message or a summary of what was done, which can name many categories.</summary>
    public const int EventTextLength = 8000;
}
