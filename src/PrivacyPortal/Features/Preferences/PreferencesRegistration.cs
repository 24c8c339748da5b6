using PrivacyPortal.Features.MyData;

namespace PrivacyPortal.Features.Preferences;

public static class PreferencesRegistration
{
    /// <summary>Marketing preferences, objections and consents, their history, and the stores' unsubscribe links.</summary>
    public static WebApplicationBuilder AddMarketingPreferences(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PreferencesOptions>()
            .BindConfiguration(PreferencesOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<MarketingPreferenceState>();
        builder.Services.AddScoped<ExistingCustomers>();
        builder.Services.AddScoped<PreferenceText>();
        builder.Services.AddScoped<ChangeMarketingPreferenceCommand>();
        builder.Services.AddScoped<ObjectToAllMarketingCommand>();
        builder.Services.AddScoped<UnsubscribeLinks>();
        builder.Services.AddScoped<PreferenceChangeFeed>();
        builder.Services.AddSingleton<SuppressionKeyCache>();
        builder.Services.AddScoped<SuppressionList>();
        builder.Services.AddScoped<IExportSection, PreferencesExportSection>();
        return builder;
    }
}
