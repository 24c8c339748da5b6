using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// Per-IP limit on the sign-in forms. The per-address limit is counted in the database
/// (<see cref="RequestMagicLinkCommand"/>), where every instance sees it.
/// </summary>
internal static class MagicLinkRateLimits
{
    public const string PerIp = "sign-in-per-ip";

    public static void Configure(RateLimiterOptions limiter)
    {
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.AddPolicy(PerIp, context =>
        {
            var options = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
            // Only the POSTs that send mail or try codes count; showing the form is free.
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                return RateLimitPartition.GetNoLimiter("get");
            }

            return RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.MaxLinksPerIpPer10Minutes,
                    Window = TimeSpan.FromMinutes(10),
                    QueueLimit = 0,
                });
        });
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var culture = context.HttpContext.Request.RouteValues["culture"] as string ?? "en";
            context.HttpContext.Response.Redirect($"/{culture}/login/too-many");
            await Task.CompletedTask;
        };
    }
}
