using PrivacyPortal.Data;
using PrivacyPortal.Features.Jobs;

namespace PrivacyPortal.Features.PolicyChanges;

public static class PolicyChangesRegistration
{
    /// <summary>Notice of material policy changes: recorded at start-up, mailed in batches by a job.</summary>
    public static WebApplicationBuilder AddPolicyChangeNotices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PolicyNoticeOptions>()
            .BindConfiguration(PolicyNoticeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<IDatabaseSeeder, PolicyChangeAnnouncement>();
        builder.Services.AddScoped<SendPolicyChangeNoticesCommand>();
        builder.Services.AddDailyJobs(builder.Configuration);
        builder.Services.AddSingleton<PolicyChangeNoticeJob>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PolicyChangeNoticeJob>());
        return builder;
    }
}
