using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Impersonation;

/// <summary>
/// Makes "view as customer" read-only for the whole application rather than page by page. While a
/// browser holds a live impersonation, every request that is not a GET or HEAD (the Stop button
/// excepted), every request to the staff area, and the GET endpoints that act (OIDC sign-in and
/// sign-out) are answered with the "not possible while viewing as the customer" page (403) instead
/// of reaching their endpoint. Whatever runs is on a connection the database keeps read-only
/// (<see cref="ReadOnlyConnection"/>), so a write that slips through anyway is refused by the
/// database and answered the same way, with nothing the handler queued saved. An impersonation that
/// ended sends the staff member back to the staff area.
/// </summary>
internal sealed class ImpersonationGuard(RequestDelegate next, ILogger<ImpersonationGuard> logger)
{
    public const string ActiveKey = "PrivacyPortal.Impersonation.Active";
    public const string RefusedKey = "PrivacyPortal.Impersonation.Refused";
    public const string RefusedAction = "impersonation.refused";

    /// <summary>GET endpoints with side effects: signing in to a store, or out of the portal, in the customer's name.</summary>
    private static readonly string[] ActingGetPaths = [OidcEndpoints.Authorize, OidcEndpoints.EndSession];

    public async Task InvokeAsync(HttpContext context, ImpersonationContext state, ImpersonationRecorder recorder, PortalDbContext db)
    {
        if (!context.Request.Cookies.ContainsKey(ImpersonationRegistration.CookieName(context)))
        {
            await next(context);
            return;
        }

        var result = await context.AuthenticateAsync(ImpersonationRegistration.Scheme);
        if (!result.Succeeded || result.Principal?.IsImpersonating() != true || state.Current is null)
        {
            // Expired, stopped in another tab, the staff session gone, or a cookie that cannot be read.
            if (state.Ended is null)
            {
                await context.SignOutAsync(ImpersonationRegistration.Scheme);
            }

            var ended = state.Ended;
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = ended?.CustomerId is { } customer
                ? $"{StaffPeople.PersonPath(customer)}?ended={Uri.EscapeDataString(ended.Reason)}"
                : StaffRegistration.AreaPath;
            return;
        }

        context.User = result.Principal;
        context.Items[ActiveKey] = true;
        await using var readOnly = await ReadOnlyConnection.EnterAsync(db, context.RequestAborted);
        // An error page re-executed for a request already let through (or refused) is only shown.
        var reExecuted = context.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || context.Features.Get<IExceptionHandlerPathFeature>() is not null;
        if (!reExecuted && IsRefused(context.Request))
        {
            await RefuseAsync(context, state.Current, recorder, db);
        }

        try
        {
            await next(context);
        }
        catch (Exception ex) when (ReadOnlyConnection.IsRefusedWrite(ex) && !context.Response.HasStarted)
        {
            logger.LogWarning("A write during an impersonation was refused by the database: {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await RefuseAsync(context, state.Current, recorder, db);
            await next(context);
        }
    }

    public static bool IsRefused(HttpRequest request)
    {
        var path = request.Path;
        if (path.StartsWithSegments(StaffRegistration.AreaPath, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return ActingGetPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
        }

        return !(HttpMethods.IsPost(request.Method) && IsStopPath(path));
    }

    private static bool IsStopPath(PathString path) =>
        path.Value is { } value
        && value.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var culture, "view-as", "stop"]
        && PortalCultures.IsSupported(culture);

    private static async Task RefuseAsync(HttpContext context, ActiveImpersonation active, ImpersonationRecorder recorder, PortalDbContext db)
    {
        var request = context.Request;
        var attempted = $"{request.Method} {request.Path}{request.QueryString}";
        // Whatever the refused handler added (rows, outbox mails) is dropped, never saved with the audit line.
        db.ChangeTracker.Clear();
        if (db.Database.CurrentTransaction is { } transaction)
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }

        await recorder.AuditAsync(RefusedAction, active.CustomerId, $"{attempted} imp={active.Id}", active.StaffId, context.RequestAborted);

        // Re-routed to the refusal page (a second UseRouting follows this middleware), as a GET:
        // the refused endpoint never runs, so nothing it would have done happens.
        var culture = PortalCultures.IsSupported(CultureInfo.CurrentUICulture.Name) ? CultureInfo.CurrentUICulture.Name : PortalCultures.Default;
        context.Items[RefusedKey] = attempted;
        context.SetEndpoint(null);
        request.RouteValues.Clear();
        request.Method = HttpMethods.Get;
        request.Path = $"/{culture}/view-as/refused";
        request.QueryString = QueryString.Empty;
    }
}

/// <summary>Paths of the staff pages of a person.</summary>
public static class StaffPeople
{
    public static string PersonPath(Guid id) => $"{StaffRegistration.AreaPath}/people/{id}";
}
