using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>A message in a request's thread, from the person or from staff (who email the person).</summary>
public sealed class AddRequestMessageCommand(RequestWorkflow workflow)
{
    /// <summary>The person's reply; another person's request is "not found".</summary>
    public async Task<RequestActionOutcome> FromPersonAsync(Guid requestId, Guid personId, string? text, CancellationToken cancellationToken)
    {
        var loaded = await workflow.LoadAsync(requestId, cancellationToken);
        if (loaded is null || loaded.Value.Request.SubjectId != personId)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var (request, person) = loaded.Value;

        if (RequestWorkflow.CheckText(text, required: true, out var message) is { } invalid)
        {
            return invalid;
        }

        if (request.Status == RequestStatus.Closed)
        {
            return RequestActionOutcome.Fail("Error.Closed");
        }

        workflow.AddEvent(request, RequestEventKind.PersonMessage, personId, byStaff: false, message);
        if (request.Status == RequestStatus.AwaitingPerson)
        {
            // Every change of status is mailed; this one tells the person their answer arrived.
            request.Status = RequestStatus.InProgress;
            workflow.Mail(RequestMail.ReplyReceived, request, person);
        }

        await workflow.Db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }

    public async Task<RequestActionOutcome> FromStaffAsync(Guid requestId, Guid staffId, string? text, CancellationToken cancellationToken)
    {
        var loaded = await workflow.LoadAsync(requestId, cancellationToken);
        if (loaded is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var (request, person) = loaded.Value;

        if (RequestWorkflow.CheckText(text, required: true, out var message) is { } invalid)
        {
            return invalid;
        }

        if (request.Status == RequestStatus.Closed)
        {
            return RequestActionOutcome.Fail("Error.Closed");
        }

        if (request.Status == RequestStatus.Received)
        {
            request.Status = RequestStatus.InProgress;
        }

        workflow.StaffAction(request, person, staffId, RequestEventKind.StaffMessage, StaffAudit.Actions.Messaged, RequestMail.StaffMessage, message);
        await workflow.Db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}
