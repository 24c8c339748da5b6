namespace PrivacyPortal.Infrastructure;

/// <summary>
/// Headers every response carries. Scripts and styles come only from our own files. A response that
/// sets its own Content-Security-Policy or X-Frame-Options before it starts keeps them (the
/// development mailbox frames a mail's HTML under a stricter, frameable policy).
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var headers = ((HttpContext)state).Response.Headers;
                if (!headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                }

                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                if (!headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.XFrameOptions))
                {
                    headers.XFrameOptions = "DENY";
                }

                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()";
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}
