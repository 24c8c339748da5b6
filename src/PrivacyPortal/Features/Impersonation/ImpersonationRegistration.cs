using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;
using PrivacyPortal.Features.Demo;
using PrivacyPortal.Features.MyData;
using PrivacyPortal.Features.Staff;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Impersonation;

public static class ImpersonationRegistration
{
    /// <summary>The cookie scheme of the impersonation principal; the staff member's own "Portal" cookie stays beside it.</summary>
    public const string Scheme = "Impersonation";

    /// <summary>Support and PrivacyOfficer members, with both factors, may view as a customer; Admin alone may not.</summary>
    public const string Policy = "Staff.Impersonate";

    private const string Cookie = "pp.imp";

    public static string CookieName(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CookieNames.For(context.RequestServices.GetRequiredService<IWebHostEnvironment>(), Cookie);
    }

    public static WebApplicationBuilder AddImpersonation(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ImpersonationOptions>()
            .Bind(builder.Configuration.GetSection(ImpersonationOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var cookieName = CookieNames.For(builder.Environment, Cookie);
        builder.Services.AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = cookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieNames.SecurePolicy(builder.Environment);
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.Path = "/";
                // The session row decides when it ends; the cookie lives for the browser session.
                o.SlidingExpiration = false;
                o.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = ImpersonationValidator.ValidateAsync,
                    OnRedirectToLogin = context =>
                    {
                        context.Response.Redirect(StaffRegistration.AreaPath);
                        return Task.CompletedTask;
                    },
                    OnRedirectToAccessDenied = context =>
                    {
                        context.Response.StatusCode = StatusCodes.Status403Forbidden;
                        return Task.CompletedTask;
                    },
                };
            });

        // Whoever asks the portal scheme who is signed in (pages, the OIDC authorize endpoint) is
        // answered with the impersonation principal while its cookie is there. Signing in and out,
        // challenges and 403s stay with the portal cookie itself (naming its own scheme = no forwarding).
        builder.Services.PostConfigure<CookieAuthenticationOptions>(PortalClaims.Scheme, o =>
        {
            o.ForwardDefaultSelector = context => context.Request.Cookies.ContainsKey(cookieName) ? Scheme : null;
            o.ForwardSignIn = PortalClaims.Scheme;
            o.ForwardSignOut = PortalClaims.Scheme;
            o.ForwardChallenge = PortalClaims.Scheme;
            o.ForwardForbid = PortalClaims.Scheme;
        });

        builder.Services.Configure<AuthorizationOptions>(o => o.AddPolicy(Policy, p => p.RequireAuthenticatedUser()
            .AddRequirements(new StaffRequirement([StaffRoles.Support, StaffRoles.PrivacyOfficer]))));
        builder.Services.Configure<MvcOptions>(o => o.Filters.Add<ImpersonationAuditFilter>());
        builder.Services.AddScoped<ImpersonationRecorder>();
        builder.Services.AddScoped<ImpersonationContext>();
        builder.Services.AddScoped<ImpersonationSwitch>();
        builder.Services.AddScoped<StartImpersonationCommand>();
        builder.Services.AddScoped<StopImpersonationCommand>();
        builder.Services.AddScoped<IExportSection, ImpersonationExportSection>();
        return builder;
    }

    /// <summary>
    /// Between routing and authentication: the guard refuses what an impersonation may not do and
    /// re-routes it to the refusal page, so routing runs once more after it.
    /// </summary>
    public static WebApplication UseImpersonation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<ImpersonationGuard>();
        app.UseRouting();
        return app;
    }
}
