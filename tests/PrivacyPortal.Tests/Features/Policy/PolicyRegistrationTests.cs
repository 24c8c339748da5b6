using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PrivacyPortal.Features.Policy;

namespace PrivacyPortal.Tests.Features.Policy;

public sealed class PolicyRegistrationTests : IDisposable
{
    private readonly string contentRoot = Directory.CreateTempSubdirectory("policy-tests-").FullName;

    [Fact]
    public async Task Default_file_is_read_from_the_content_root_at_start_up()
    {
        await using var app = Build(AppContext.BaseDirectory, policyFile: null);

        await app.StartAsync();

        var catalog = app.Services.GetRequiredService<PolicyCatalog>();
        Assert.Equal("2026-05-01", catalog.Revision);
        Assert.Equal(PolicyJson.InnorePath, catalog.File);
        await app.StopAsync();
    }

    [Fact]
    public async Task Configured_relative_file_is_resolved_against_the_content_root()
    {
        Directory.CreateDirectory(Path.Combine(contentRoot, "Policies"));
        await File.WriteAllTextAsync(Path.Combine(contentRoot, "Policies", "lanopro.policy.json"), new MinimalPolicy().Json());
        await using var app = Build(contentRoot, "Policies/lanopro.policy.json");

        await app.StartAsync();

        Assert.Equal("lanopro", Assert.Single(app.Services.GetRequiredService<PolicyCatalog>().Controllers).Id);
        await app.StopAsync();
    }

    [Fact]
    public async Task Broken_file_stops_the_app_from_starting()
    {
        var path = Path.Combine(contentRoot, "broken.policy.json");
        await File.WriteAllTextAsync(path, PolicyJson.InnoreWith(p => p.Item("retentionRules", 0)["years"] = -7));
        await using var app = Build(contentRoot, "broken.policy.json");

        var exception = await Assert.ThrowsAsync<PolicyValidationException>(() => app.StartAsync());

        Assert.Equal(path, exception.File);
        Assert.Contains("retentionRules[0].years: must not be negative, was -7", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_stops_the_app_from_starting()
    {
        await using var app = Build(contentRoot, "Policies/nowhere.policy.json");

        var exception = await Assert.ThrowsAsync<PolicyValidationException>(() => app.StartAsync());

        Assert.Equal(Path.Combine(contentRoot, "Policies", "nowhere.policy.json"), exception.File);
    }

    public void Dispose() => Directory.Delete(contentRoot, recursive: true);

    private static WebApplication Build(string contentRoot, string? policyFile)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        if (policyFile is not null)
        {
            builder.Configuration[$"{PolicyOptions.SectionName}:{nameof(PolicyOptions.File)}"] = policyFile;
        }

        builder.AddPortalPolicy();
        return builder.Build();
    }
}
