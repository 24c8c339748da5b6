using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>Staff ask the person for what they need to handle the request; the person answers in the thread.</summary>
public sealed class AskForInformationCommand(RequestWorkflow workflow)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, Guid staffId, string? question, CancellationToken cancellationToken)
    {
        var loaded = await workflow.LoadAsync(requestId, cancellationToken);
        if (loaded is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var (request, person) = loaded.Value;

        if (RequestWorkflow.CheckText(question, required: true, out var text) is { } invalid)
        {
            return invalid;
        }

        if (!PrivacyRequest.IsOpen(request.Status))
        {
            return RequestActionOutcome.Fail("Error.NotOpen");
        }

        request.Status = RequestStatus.AwaitingPerson;
        workflow.StaffAction(request, person, staffId, RequestEventKind.AskedForInformation, StaffAudit.Actions.AskedForInformation, RequestMail.AskedForInformation, text);
        await workflow.Db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}
