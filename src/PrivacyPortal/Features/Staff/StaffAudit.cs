using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Staff;

/// <summary>
/// Writes what staff see and do to the append-only audit log. <see cref="Add"/> joins the caller's
/// unit of work, so an action and its audit line are saved together or not at all;
/// <see cref="RecordViewAsync"/> saves at once, for views that change nothing else.
/// </summary>
public sealed class StaffAudit(PortalDbContext db, TimeProvider time, IHttpContextAccessor accessor)
{
    /// <summary>Action names used by the staff area; other features add their own under <c>staff.</c>.</summary>
    public static class Actions
    {
        public const string ViewedQueue = "staff.viewed-queue";
        public const string ViewedRequest = "staff.viewed-request";
        public const string ViewedPerson = "staff.viewed-person";
        public const string SearchedPeople = "staff.searched-people";

        /// <summary>An action the staff member's role does not allow; nothing was done.</summary>
        public const string Forbidden = "staff.forbidden";

        /// <summary>An action that was refused by its rules (e.g. an extension after the first month); nothing was done.</summary>
        public const string ActionFailed = "staff.action-failed";
        public const string Messaged = "staff.messaged";
        public const string AskedForInformation = "staff.asked-for-information";
        public const string Extended = "staff.extended";
        public const string CarriedOut = "staff.carried-out";

        /// <summary>Records of a category anonymised on carrying out an erasure (one line per category).</summary>
        public const string Anonymised = "staff.anonymised";
        public const string Refused = "staff.refused";
        public const string Closed = "staff.closed";

        /// <summary>Closed after carrying out while manual Art. 19 tasks were still open; the detail has the reason.</summary>
        public const string ClosedWithOpenTasks = "staff.closed-with-open-tasks";

        /// <summary>A recipient outside the group's stores was told (a manual Art. 19 task marked done).</summary>
        public const string RecipientTold = "staff.recipient-told";

        /// <summary>A request received by email, phone, letter or in a store, recorded by staff.</summary>
        public const string RecordedRequest = "staff.recorded-request";

        /// <summary>A marketing stop the person asked for by phone or in a store, recorded by staff.</summary>
        public const string RecordedStop = "staff.recorded-stop";
        public const string ViewedRetentionReport = "staff.viewed-retention-report";
        public const string ViewedRecordsOfProcessing = "staff.viewed-records-of-processing";
        public const string DownloadedRecordsOfProcessing = "staff.downloaded-records-of-processing";
        public const string ViewedReports = "staff.viewed-reports";
        public const string EnrolledAuthenticator = "staff.enrolled-authenticator";
        public const string SecondFactorFailed = "staff.second-factor-failed";
        public const string SignedInWithSecondFactor = "staff.signed-in";

        /// <summary>An authenticator enrolment invitation was created for the subject.</summary>
        public const string InvitedStaff = "staff.invited";

        /// <summary>The subject's authenticator was removed and a new invitation mailed to them.</summary>
        public const string ResetAuthenticator = "staff.reset-authenticator";
        public const string ViewedStaffList = "staff.viewed-staff";
    }

    /// <summary>Adds an audit line to the current unit of work; the caller's SaveChanges writes it.</summary>
    public AuditEvent Add(string action, Guid? subjectId, string? detail = null, Guid? actorId = null)
    {
        var context = accessor.HttpContext;
        var entry = new AuditEvent
        {
            OccurredAt = time.GetUtcNow(),
            ActorId = actorId ?? context?.User.SubjectId(),
            SubjectId = subjectId,
            Action = action,
            Detail = Truncate(detail, 4000),
            IpAddress = context?.Connection.RemoteIpAddress?.ToString(),
        };
        db.AuditEvents.Add(entry);
        return entry;
    }

    /// <summary>Records a view (of a person, a request, a report) and saves it now.</summary>
    public async Task RecordViewAsync(string action, Guid? subjectId, string? detail, CancellationToken cancellationToken)
    {
        Add(action, subjectId, detail);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
