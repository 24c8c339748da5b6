namespace PrivacyPortal.Features.MyData;

public static class MyDataRegistration
{
    public static WebApplicationBuilder AddMyData(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PersonalDataExport>();
        builder.Services.AddSingleton<FieldLabels>();
        builder.Services.AddSingleton<AccessInformation>();
        return builder;
    }
}
