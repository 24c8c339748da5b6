using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using PrivacyPortal.Infrastructure;

namespace PrivacyPortal.Features.Email;

public static class EmailRegistration
{
    public static WebApplicationBuilder AddPortalEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddPortalEmail(builder.Configuration);
        // The mailbox under /dev shows sign-in links; outside Development its pages have no route at all.
        builder.Services.Configure<RazorPagesOptions>(o => o.Conventions.AddDevelopmentOnlyFolder("/Dev", builder.Environment));
        return builder;
    }

    /// <summary>The outbox, its transports and its dispatcher; split out so tests can host them without a web app.</summary>
    public static IServiceCollection AddPortalEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>()
            .Bind(configuration.GetSection(EmailOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddScoped<Outbox>();
        services.AddSingleton<EmailFooter>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SmtpEmailTransport>();
        services.AddSingleton<PickupDirectoryEmailTransport>();
        services.AddSingleton<IEmailTransport>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Transport switch
        {
            EmailTransportKind.Pickup => sp.GetRequiredService<PickupDirectoryEmailTransport>(),
            _ => sp.GetRequiredService<SmtpEmailTransport>(),
        });
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }
}
