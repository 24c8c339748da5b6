using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Refuses a request with reasons; the reply names the right to complain to the supervisory
/// authority and to a judicial remedy (Art. 12(4)). The caller checks the PrivacyOfficer role.
/// </summary>
public sealed class RefuseRequestCommand(RequestWorkflow workflow)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, Guid staffId, string? reasons, CancellationToken cancellationToken)
    {
        var loaded = await workflow.LoadAsync(requestId, cancellationToken);
        if (loaded is null)
        {
            return RequestActionOutcome.Fail("Error.NotFound");
        }

        var (request, person) = loaded.Value;

        if (RequestWorkflow.CheckText(reasons, required: true, out var text) is { } invalid)
        {
            return invalid.ErrorKey == "Error.TextRequired" ? RequestActionOutcome.Fail("Error.ReasonsRequired") : invalid;
        }

        if (!PrivacyRequest.IsOpen(request.Status))
        {
            return RequestActionOutcome.Fail("Error.NotOpen");
        }

        if (request.Kind == RequestKind.Objection && request.ObjectionPurposeKeys.Count > 0)
        {
            // Each objected purpose is upheld or refused with its own grounds (DecideObjectionCommand).
            return RequestActionOutcome.Fail("Error.DecidePerPurpose");
        }

        request.Status = RequestStatus.Refused;
        workflow.StaffAction(request, person, staffId, RequestEventKind.Refused, StaffAudit.Actions.Refused, RequestMail.Refused, text);
        await workflow.Db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}
