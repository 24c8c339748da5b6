using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
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
/// of reaching their endpoint. A write that slips through anyway is stopped in the database
/// (<see cref="ImpersonationReadOnlyInterceptor"/>) and answered the same way. An impersonation that
/// ended sends the staff member back to the staff area.
/// </summary>
internal sealed class ImpersonationGuard(RequestDelegate next, ILogger<ImpersonationGuard> logger)
{
    public const string ActiveKey = "PrivacyPortal.Impersonation.Active";
    public const string RefusedKey = "PrivacyPortal.Impersonation.Refused";
    public const string RefusedAction = "impersonation.refused";

    /// <summary>GET endpoints with side effects: signing in to a store, or out of the portal, in the customer's name.</summary>
    private static readonly string[] ActingGetPaths = [OidcEndpoints.Authorize, OidcEndpoints.EndSession];

    public async Task InvokeAsync(HttpContext context, ImpersonationContext state, StaffAudit audit)
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
        // An error page re-executed for a request already let through (or refused) is only shown.
        var reExecuted = context.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || context.Features.Get<IExceptionHandlerPathFeature>() is not null;
        if (!reExecuted && IsRefused(context.Request))
        {
            await RefuseAsync(context, state.Current, audit);
        }

        try
        {
            await next(context);
        }
        catch (Exception ex) when (ImpersonationReadOnlyInterceptor.IsViolation(ex) && !context.Response.HasStarted)
        {
            logger.LogWarning("A write during an impersonation was stopped in the database: {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await RefuseAsync(context, state.Current, audit);
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

    private static async Task RefuseAsync(HttpContext context, ActiveImpersonation active, StaffAudit audit)
    {
        var request = context.Request;
        var attempted = $"{request.Method} {request.Path}{request.QueryString}";
        using (ImpersonationWrites.Allow())
        {
            audit.Add(RefusedAction, active.CustomerId, $"{attempted} imp={active.Id}", active.StaffId);
            await context.RequestServices.GetRequiredService<Data.PortalDbContext>().SaveChangesAsync(context.RequestAborted);
        }

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
