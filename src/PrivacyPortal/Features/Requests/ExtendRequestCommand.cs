using PrivacyPortal.Features.Policy;
using PrivacyPortal.Features.Staff;

namespace PrivacyPortal.Features.Requests;

/// <summary>
/// Art. 12(3): extends the deadline by one or two further months (in total at most what the policy
/// allows, and never more than two), only while the first month runs, only with reasons, and
/// tells the person with the reasons. The caller checks the PrivacyOfficer role.
/// </summary>
public sealed class ExtendRequestCommand(RequestWorkflow workflow, PolicyCatalog policy)
{
    public async Task<RequestActionOutcome> ExecuteAsync(Guid requestId, Guid staffId, int furtherMonths, string? reasons, CancellationToken cancellationToken)
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

        if (!Deadlines.CanStillExtend(request.FirstDueOn, workflow.Today))
        {
            return RequestActionOutcome.Fail("Error.ExtendAfterFirstMonth", RequestTexts.Format(request.FirstDueOn));
        }

        var allowed = request.ControllerIds
            .Select(id => policy.FindController(id)?.Rights.MaxExtensionMonths ?? 0)
            .DefaultIfEmpty(0)
            .Min();
        allowed = Math.Min(allowed, Deadlines.MaxExtensionMonths);
        // Compared before adding, so a huge number of months cannot overflow into an allowed total.
        if (furtherMonths < 1 || furtherMonths > allowed - request.ExtensionMonths)
        {
            return RequestActionOutcome.Fail("Error.ExtendTooLong", allowed);
        }

        var total = request.ExtensionMonths + furtherMonths;

        request.ExtensionMonths = total;
        request.DueOn = Deadlines.ExtendedDueDate(Deadlines.Day(request.ReceivedAt), total);
        request.ExtensionReason = text;
        if (request.Status == RequestStatus.Received)
        {
            request.Status = RequestStatus.InProgress;
        }

        workflow.StaffAction(request, person, staffId, RequestEventKind.Extended, StaffAudit.Actions.Extended, RequestMail.Extended, text);
        await workflow.Db.SaveChangesAsync(cancellationToken);
        return RequestActionOutcome.Done;
    }
}
