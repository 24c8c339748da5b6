using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>Closes a request (after it was carried out, or when nothing more will happen), with an optional note.</summary>
public sealed class CloseRequestCommand(RequestWorkflow workflow)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, Guid staffId, string? note, CancellationToken cancellationToken)
    {
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

        request.Status = RequestStatus.Closed;
        request.ClosedAt = workflow.Now;
        workflow.StaffAction(request, person, staffId, RequestEventKind.Closed, StaffAudit.Actions.Closed, RequestMail.Closed, text);
        await workflow.Db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}
