using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Auth;

namespace PrivacyPortal.Features.Staff;

public static class StaffRegistration
{
    public const string AreaPath = "/staff";
    public const string SecondFactorPath = "/staff/second-factor";

    public static WebApplicationBuilder AddStaff(this WebApplicationBuilder builder)
    {
        // Only the authenticator provider: staff prove the second factor with a TOTP app.
        new IdentityBuilder(typeof(DataSubject), typeof(Microsoft.AspNetCore.Identity.IdentityRole<Guid>), builder.Services)
            .AddTokenProvider<AuthenticatorTokenProvider<DataSubject>>(TokenOptions.DefaultAuthenticatorProvider);
        builder.Services.Configure<AuthorizationOptions>(StaffPolicies.Add);
        builder.Services.AddScoped<IAuthorizationHandler, StaffRequirementHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, StaffSignInRedirects>();
        builder.Services.AddScoped<StaffDirectory>();
        builder.Services.AddScoped<StaffAudit>();
        builder.Services.AddScoped<StaffSecondFactor>();
        builder.Services.AddOptions<SecondFactorOptions>()
            .Bind(builder.Configuration.GetSection(SecondFactorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<StaffInvitations>();
        builder.Services.AddScoped<InviteStaffMemberCommand>();
        builder.Services.AddScoped<ResetAuthenticatorCommand>();

        // Authenticator keys and recovery codes are stored protected, and plain ones left from before are protected at start.
        builder.Services.AddSingleton<AuthenticatorSecrets>();
        builder.Services.Replace(ServiceDescriptor.Scoped<IUserStore<DataSubject>, ProtectedSecretsUserStore>());
        builder.Services.AddScoped<IDatabaseSeeder, ProtectPlainAuthenticatorSecrets>();
        builder.AddStaffLanguage();
        return builder;
    }

    /// <summary>A local staff path to come back to after signing in, or the queue.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 2048 }
        && returnUrl.StartsWith(AreaPath, StringComparison.Ordinal)
        && !returnUrl.StartsWith(SecondFactorPath, StringComparison.Ordinal)
        && !returnUrl.Contains("//", StringComparison.Ordinal)
        && !returnUrl.Contains('\\', StringComparison.Ordinal)
            ? returnUrl
            : AreaPath;
}

/// <summary>
/// In the staff area, someone not signed in goes to the magic-link sign-in and then to the second
/// factor; a staff member signed in with the link only goes to the second factor. Everyone else
/// who lacks the role gets the 403 page.
/// </summary>
internal sealed class StaffSignInRedirects : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var path = context.Request.Path;
        var inStaffArea = path.StartsWithSegments(StaffRegistration.AreaPath, StringComparison.OrdinalIgnoreCase);
        if (inStaffArea && !path.StartsWithSegments(StaffRegistration.SecondFactorPath, StringComparison.OrdinalIgnoreCase))
        {
            var here = HttpMethods.IsGet(context.Request.Method)
                ? StaffRegistration.SafeReturnUrl(path + context.Request.QueryString)
                : StaffRegistration.AreaPath;
            var secondFactor = $"{StaffRegistration.SecondFactorPath}?returnUrl={Uri.EscapeDataString(here)}";
            if (authorizeResult.Challenged)
            {
                context.Response.Redirect($"/en/login?returnUrl={Uri.EscapeDataString(secondFactor)}");
                return;
            }

            if (authorizeResult.Forbidden && !StaffSecondFactor.IsCompleted(context.User)
                && await context.RequestServices.GetRequiredService<StaffDirectory>().FindAsync(context.User) is not null)
            {
                context.Response.Redirect(secondFactor);
                return;
            }
        }

        await fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}
