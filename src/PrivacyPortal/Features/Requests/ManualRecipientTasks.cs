using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Art. 19 for recipients the policy says are told by hand: when a request is carried out, one task
/// per such recipient of the categories concerned, in the same unit of work.
/// </summary>
public sealed class ManualRecipientTasks(PolicyCatalog policy)
{
    public void AddFor(RequestWorkflow workflow, PrivacyRequest request, RecipientTaskKind kind, IEnumerable<(string ControllerId, string CategoryId)> affected)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(request);
        var perRecipient = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (controllerId, categoryId) in affected.Distinct())
        {
            if (policy.FindCategory(controllerId, categoryId) is not { } category)
            {
                continue;
            }

            foreach (var recipient in policy.RecipientsOf(category).Where(r => r.Notification?.Method == RecipientNotificationMethod.Manual))
            {
                if (!perRecipient.TryGetValue(recipient.Id, out var categories))
                {
                    perRecipient[recipient.Id] = categories = new SortedSet<string>(StringComparer.Ordinal);
                }

                categories.Add($"{controllerId}/{categoryId}");
            }
        }

        // In the policy's order, so staff and the person see the recipients as the policy lists them.
        foreach (var recipient in policy.Document.Recipients.Where(r => perRecipient.ContainsKey(r.Id)))
        {
            workflow.Db.Set<ManualRecipientTask>().Add(new ManualRecipientTask
            {
                RequestId = request.Id,
                SubjectId = request.SubjectId,
                RecipientId = recipient.Id,
                Kind = kind,
                Contact = Truncate(recipient.Notification?.Contact ?? "", ManualRecipientTaskConfiguration.ContactLength),
                Categories = Truncate(PrivacyRequest.JoinControllers(perRecipient[recipient.Id]), ManualRecipientTaskConfiguration.CategoriesLength),
                CreatedAt = workflow.Now,
            });
        }
    }

    public static Task<int> CountOpenAsync(RequestWorkflow workflow, Guid requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        return workflow.Db.Set<ManualRecipientTask>().CountAsync(t => t.RequestId == requestId && t.DoneAt == null, cancellationToken);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

/// <summary>Staff told a recipient outside the group's stores: the task is done, with a note saying how (audited).</summary>
public sealed class CompleteManualRecipientTaskCommand(RequestWorkflow workflow, StaffAudit audit)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, long taskId, Guid staffId, string? note, CancellationToken cancellationToken)
    {
        var db = workflow.Db;
        var task = await db.Set<ManualRecipientTask>().FirstOrDefaultAsync(t => t.Id == taskId && t.RequestId == requestId, cancellationToken);
        if (task is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var trimmed = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (trimmed is null)
        {
            return RequestActionOutcome.Fail("Error.TaskNoteRequired");
        }

        if (trimmed.Length > ManualRecipientTaskConfiguration.NoteLength)
        {
            return RequestActionOutcome.Fail("Error.TooLong", ManualRecipientTaskConfiguration.NoteLength, trimmed.Length);
        }

        if (task.DoneAt is not null)
        {
            return RequestActionOutcome.Fail("Error.TaskDone");
        }

        // One conditional UPDATE: of two staff marking the same task at once, only one is recorded.
        var now = workflow.Now;
        var updated = await db.Set<ManualRecipientTask>()
            .Where(t => t.Id == taskId && t.DoneAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DoneAt, now).SetProperty(t => t.DoneBy, staffId).SetProperty(t => t.DoneNote, trimmed), cancellationToken);
        if (updated == 0)
        {
            return RequestActionOutcome.Fail("Error.TaskDone");
        }

        var reference = await db.Set<PrivacyRequest>().Where(r => r.Id == requestId).Select(r => r.Reference).FirstAsync(cancellationToken);
        audit.Add(StaffAudit.Actions.RecipientTold, task.SubjectId, $"{reference} {task.RecipientId} ({task.Kind}): {trimmed}", staffId);
        await db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}
