using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>Closes a request (after it was carried out, or when nothing more will happen), with an optional note.</summary>
public sealed class CloseRequestCommand(RequestWorkflow workflow, StaffAudit audit, ObjectionRestrictions objections)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, Guid staffId, string? note, CancellationToken cancellationToken)
    {
        var db = workflow.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await PrivacyPortal.Data.CursorFeedLock.QueueAsync(db, PrivacyPortal.Data.CursorFeedLock.RecipientTasks, cancellationToken);
        var loaded = await workflow.LoadAsync(requestId, cancellationToken);
        if (loaded is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var (request, person) = loaded.Value;

        if (RequestWorkflow.CheckText(note, required: false, out var text) is { } invalid)
        {
            return invalid;
        }

        if (request.Status == RequestStatus.Closed)
        {
            return RequestActionOutcome.Fail("Error.Closed");
        }

        // Art. 19: closing a carried-out request while recipients are still to be told needs a reason, kept in the log.
        var openTasks = request.Status == RequestStatus.Completed ? await ManualRecipientTasks.CountOpenAsync(workflow, request.Id, cancellationToken) : 0;
        if (openTasks > 0)
        {
            if (text is null)
            {
                return RequestActionOutcome.Fail("Error.ManualTasksOpen", openTasks);
            }

            audit.Add(StaffAudit.Actions.ClosedWithOpenTasks, request.SubjectId, $"{request.Reference}: {openTasks} manual recipient task(s) open: {text}", staffId);
        }

        if (PrivacyRequest.IsOpen(request.Status) && request.Kind == RequestKind.Objection && request.ObjectionPurposeKeys.Count > 0)
        {
            // Closed undecided (e.g. withdrawn): the purposes it still restricted are no longer restricted.
            var decided = await db.Set<ObjectionDecision>().Where(d => d.RequestId == request.Id).Select(d => new { d.ControllerId, d.PurposeId }).ToListAsync(cancellationToken);
            var open = request.ObjectionPurposeKeys.Where(k => !decided.Any(d => ObjectionPurposeOptions.Key(d.ControllerId, d.PurposeId) == k)).ToList();
            await objections.AddTasksAsync(request, open, ObjectionRestrictions.LiftAction, cancellationToken);
        }

        request.Status = RequestStatus.Closed;
        request.ClosedAt = workflow.Now;
        workflow.StaffAction(request, person, staffId, RequestEventKind.Closed, StaffAudit.Actions.Closed, RequestMail.Closed, text);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}
