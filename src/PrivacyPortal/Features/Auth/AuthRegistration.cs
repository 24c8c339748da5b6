using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using PrivacyPortal.Data;
using PrivacyPortal.Infrastructure;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Features.Auth;

public static class AuthRegistration
{
    public static WebApplicationBuilder AddPortalAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .Bind(builder.Configuration.GetSection(AuthOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddIdentityCore<DataSubject>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedEmail = false;
            })
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<PortalDbContext>();

        builder.Services.AddAuthentication(PortalClaims.Scheme)
            .AddCookie(PortalClaims.Scheme, o =>
            {
                o.Cookie.Name = CookieNames.For(builder.Environment, PortalClaims.CookieName);
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieNames.SecurePolicy(builder.Environment);
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.Path = "/";
                // The server-side session decides the lifetime; the cookie lives for the browser session.
                o.SlidingExpiration = false;
                o.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = SessionValidator.ValidateAsync,
                    OnRedirectToLogin = context =>
                    {
                        var culture = CurrentCulture(context.HttpContext);
                        var returnUrl = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
                        Htmx.Redirect(context.Response, $"/{culture}/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
                        return Task.CompletedTask;
                    },
                    OnRedirectToAccessDenied = context =>
                    {
                        context.Response.StatusCode = StatusCodes.Status403Forbidden;
                        return Task.CompletedTask;
                    },
                };
            });
        builder.Services.AddAuthorization();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<PortalSignIn>();
        builder.Services.AddScoped<RequestMagicLinkCommand>();
        builder.Services.AddScoped<RedeemMagicLinkCommand>();
        builder.Services.AddSingleton<SharedRateLimitCounter>();
        builder.Services.AddRateLimiter(MagicLinkRateLimits.Configure);
        return builder;
    }

    public static WebApplication UsePortalAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    private static string CurrentCulture(HttpContext context) =>
        context.Request.RouteValues.TryGetValue("culture", out var value) && PortalCultures.IsSupported(value as string)
            ? (string)value!
            : PortalCultures.FromAcceptLanguage(context.Request.Headers.AcceptLanguage);
}
