using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PrivacyPortal.Data;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Testing;

public sealed class PortalAppFactoryTests
{
    [Fact]
    public void The_app_gets_its_own_database_pickup_mail_development_and_the_manual_clock()
    {
        using var factory = new PortalAppFactory().WithSqlite();
        factory.Start();
        var configuration = factory.Services.GetRequiredService<IConfiguration>();

        Assert.Equal($"Data Source={factory.TempDirectory}/portal.db", configuration.GetConnectionString("Portal"));
        Assert.Equal("Sqlite", configuration["Database:Provider"]);
        Assert.Equal("https://localhost", configuration["Portal:PublicBaseUrl"]);
        Assert.Equal("true", configuration["Portal:SeedDemoData"]);
        Assert.Equal("Pickup", configuration["Email:Transport"]);
        Assert.Equal(Path.Combine(factory.TempDirectory, "mail"), configuration["Email:PickupDirectory"]);
        Assert.Equal("00:00:00.200", configuration["Email:Dispatcher:PollInterval"]);
        Assert.Equal("Development", factory.Services.GetRequiredService<IWebHostEnvironment>().EnvironmentName);
        Assert.Same(factory.Clock, factory.Services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task On_PostgreSQL_each_factory_gets_a_fresh_database_that_is_dropped_and_a_shared_one_that_is_kept()
    {
        await using var shared = new PostgresTestDatabase();
        string ownName;
        using (var own = new PortalAppFactory().WithPostgres())
        using (var onShared = new PortalAppFactory().WithPostgres(shared))
        {
            own.Start();
            onShared.Start();
            var configuration = own.Services.GetRequiredService<IConfiguration>();
            Assert.Equal("Postgres", configuration["Database:Provider"]);
            ownName = own.Postgres!.Name;
            Assert.NotEqual(shared.Name, ownName);
            Assert.Equal(shared.ConnectionString, onShared.Services.GetRequiredService<IConfiguration>().GetConnectionString("Portal"));

            await using var scope = own.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.True(db.Database.IsNpgsql());
            Assert.True(await db.Users.AnyAsync(u => u.Email == "kari.nordmann@example.no"), "migrated and seeded");
        }

        Assert.DoesNotContain(ownName, await DatabaseNamesAsync());
        Assert.Contains(shared.Name, await DatabaseNamesAsync());
    }

    private static async Task<List<string>> DatabaseNamesAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresServer.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    [Fact]
    public void Settings_environment_and_smtp_can_be_chosen_before_start_but_not_after()
    {
        using var smtp = new SmtpTestServer();
        using var factory = new PortalAppFactory(smtp)
            .With("Portal:SeedDemoData", "false")
            .With("Email:Dispatcher:PollInterval", null)
            .WithEnvironment("Production");
        factory.Start();
        var configuration = factory.Services.GetRequiredService<IConfiguration>();

        Assert.Equal("false", configuration["Portal:SeedDemoData"]);
        Assert.DoesNotContain("Email:Dispatcher:PollInterval", factory.Settings.Keys);
        Assert.Equal("Smtp", configuration["Email:Transport"]);
        Assert.Equal("127.0.0.1", configuration["Email:Smtp:Host"]);
        Assert.Equal(smtp.Port, configuration.GetValue<int>("Email:Smtp:Port"));
        Assert.Null(configuration["Email:PickupDirectory"]);
        Assert.Equal("Production", factory.Services.GetRequiredService<IWebHostEnvironment>().EnvironmentName);
        Assert.Throws<InvalidOperationException>(() => factory.With("Portal:SeedDemoData", "true"));
    }

    [Fact]
    public async Task Kestrel_mode_serves_on_a_real_loopback_socket_at_the_configured_public_url()
    {
        using var factory = new PortalAppFactory(useKestrel: true);
        factory.Start();
        var configuration = factory.Services.GetRequiredService<IConfiguration>();

        Assert.Equal("127.0.0.1", factory.ServerAddress.Host);
        Assert.Equal(factory.ServerAddress.GetLeftPart(UriPartial.Authority), configuration["Portal:PublicBaseUrl"]);
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, factory.ServerAddress.Port);
        }

        using var client = factory.CreateCookieAwareClient();
        using var response = await client.GetAsync("/this-path-does-not-exist");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(factory.ServerAddress, client.BaseAddress);
    }

    [Fact]
    public void Two_factories_never_share_a_folder_and_dispose_removes_it()
    {
        string first;
        using (var a = new PortalAppFactory())
        using (var b = new PortalAppFactory())
        {
            Assert.NotEqual(a.TempDirectory, b.TempDirectory);
            Assert.NotEqual(a.Settings["ConnectionStrings:Portal"], b.Settings["ConnectionStrings:Portal"]);
            first = a.TempDirectory;
            Assert.True(Directory.Exists(first));
        }

        Assert.False(Directory.Exists(first));
    }
}
