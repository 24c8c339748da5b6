using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using PrivacyPortal.Features.Oidc;
using PrivacyPortal.Infrastructure.Localization;

namespace PrivacyPortal.Infrastructure;

public static class WebRegistration
{
    public static WebApplicationBuilder AddPortalWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOptions>()
            .Bind(builder.Configuration.GetSection(PortalOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<Time.TimeZones>();
        builder.Services.AddScoped<Time.PersonTime>();
        // Norwegian and Estonian letters as they are, not as &#xE5; entities.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddRazorPages(o => o.Conventions.AddCultureConventions())
            .AddViewLocalization()
            .AddDataAnnotationsLocalization(o =>
                o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(PrivacyPortal.Localization.SharedResource)));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = CookieNames.For(builder.Environment, "pp.af");
            o.Cookie.SecurePolicy = CookieNames.SecurePolicy(builder.Environment);
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.HeaderName = "X-CSRF-TOKEN";
        });
        // TempData carries the status line of post/redirect/get; strictly necessary, and named and
        // secured like the other cookies.
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o =>
        {
            o.Cookie.Name = CookieNames.For(builder.Environment, "pp.tempdata");
            o.Cookie.SecurePolicy = CookieNames.SecurePolicy(builder.Environment);
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.HttpOnly = true;
        });
        builder.Services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    public static WebApplication UsePortalWeb(this WebApplication app)
    {
        app.UseSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseCachedProviderDocuments();
        app.UseExceptionHandler("/error/500");
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRequestLocalization();
        return app;
    }

    public static WebApplication MapPortalWeb(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        // The language cookie counts only while the browser allows preference cookies (policy §10).
        app.MapGet("/", (HttpContext context, Features.Cookies.CookieConsentState consent) =>
            Results.Redirect($"/{consent.ConsentedLanguage ?? PortalCultures.FromAcceptLanguage(context.Request.Headers.AcceptLanguage)}/"));
        app.MapRazorPages();
        return app;
    }
}
