using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Auth;

/// <summary>
/// Per-IP limit on the sign-in forms (an IPv6 address counts as its /64: <see cref="ClientNetwork.LimitKey"/>), counted in the database (<see cref="SharedRateLimitCounter"/>)
/// so that behind a load balancer an attacker gets one allowance, not one per instance. The
/// per-address limit is counted from the sign-in attempts themselves (<see cref="RequestMagicLinkCommand"/>).
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

            // The counter is a singleton, so the cached partition limiter may keep it.
            var counter = context.RequestServices.GetRequiredService<SharedRateLimitCounter>();
            return RateLimitPartition.Get(
                ClientNetwork.LimitKey(context.Connection.RemoteIpAddress),
                ip => new SharedFixedWindowRateLimiter(counter, PerIp, ip, options.MaxLinksPerIpPer10Minutes, TimeSpan.FromMinutes(10)));
        });
        limiter.OnRejected = async (context, cancellationToken) =>
        {
            var culture = context.HttpContext.Request.RouteValues["culture"] as string ?? "en";
            context.HttpContext.Response.Redirect($"/{culture}/login/too-many");
            await Task.CompletedTask;
        };
    }
}
