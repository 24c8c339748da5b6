namespace PrivacyPortal.Features.Email;

public static class EmailRegistration
{
    public static WebApplicationBuilder AddPortalEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<Outbox>();
        builder.Services.AddSingleton<EmailFooter>();
        return builder;
    }
}
