using Microsoft.AspNetCore.DataProtection;
using SampleStore.SignIn;
using SampleStore.StoreApi;

namespace SampleStore;

/// <summary>
/// Builds the store: which one (innore.eu or innore.no) comes from <c>Store:Id</c>, its address,
/// secret and language from <c>Stores:{id}</c>. Tests build it the same way with their own settings.
/// </summary>
public static class StoreApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The pages are compiled into this assembly; a test host is another entry assembly.
            ApplicationName = typeof(StoreApp).Assembly.GetName().Name,
            ContentRootPath = ContentRoot(),
        });
        configure?.Invoke(builder);
        var store = StoreOptions.Read(builder.Configuration);
        builder.WebHost.UseUrls(store.Url!.GetLeftPart(UriPartial.Authority));

        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(store));
        builder.Services.AddSingleton(TimeProvider.System);
        // Sessions live in this process's memory only (StoreSessions), so its cookie keys can too.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = store.CookiePrefix + "antiforgery";
            o.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddRazorPages();
        builder.AddStoreSignIn(store);
        builder.Services.AddSingleton<StoreActivity>();
        builder.Services.AddSingleton<StoreData>();
        builder.Services.AddHttpClient(nameof(StoreApiClient));
        builder.Services.AddSingleton<StoreApiClient>();
        builder.Services.AddSingleton<StoreSync>();
        builder.Services.AddHostedService(s => s.GetRequiredService<StoreSync>());

        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error");
        }

        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapRazorPages();
        app.MapStoreSignIn();
        return app;
    }

    /// <summary>The project folder when run from source (dotnet run, tests), so appsettings.json is read from there.</summary>
    private static string ContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var project = Path.Combine(dir.FullName, "samples", "Store");
            if (File.Exists(Path.Combine(project, "SampleStore.csproj")))
            {
                return project;
            }

            if (File.Exists(Path.Combine(dir.FullName, "SampleStore.csproj")))
            {
                return dir.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
