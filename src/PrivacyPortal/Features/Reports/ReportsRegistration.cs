namespace PrivacyPortal.Features.Reports;

/// <summary>The privacy officer's view: the record of processing activities and the reports.</summary>
public static class ReportsRegistration
{
    public static WebApplicationBuilder AddPrivacyReports(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<RecordOfProcessing>();
        builder.Services.AddScoped<GetPrivacyReportQuery>();
        builder.Services.AddSingleton<PrivacyReportCache>();
        return builder;
    }
}
