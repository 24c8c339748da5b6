using Microsoft.AspNetCore.Mvc.Filters;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// Writes every page a staff member opens while viewing as a customer to the audit log, under the
/// staff member, with the customer as subject and the impersonation's ticket and reason. HEAD runs
/// the GET handler (and so reads what GET reads), so it is a view too.
/// </summary>
internal sealed class ImpersonationAuditFilter(ImpersonationContext state, ImpersonationRecorder recorder) : IAsyncPageFilter
{
    public const string ViewedAction = "impersonation.viewed";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (state.Current is { } active && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) && http.Items.ContainsKey(ImpersonationGuard.ActiveKey) && !http.Items.ContainsKey(ImpersonationGuard.RefusedKey))
        {
            await recorder.AuditAsync(ViewedAction, active.CustomerId, $"{http.Request.Path}{http.Request.QueryString} imp={active.Id} ticket={active.Ticket} reason={active.Reason}", active.StaffId, http.RequestAborted);
        }

        await next();
    }
}
