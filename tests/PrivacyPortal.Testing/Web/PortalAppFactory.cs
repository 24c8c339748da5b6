using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrivacyPortal.Testing.Auth;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Infrastructure;
using PrivacyPortal.Testing.Smtp;
using PrivacyPortal.Testing.Time;

namespace PrivacyPortal.Testing.Web;

/// <summary>
/// Hosts the portal for a test: its own temp folder and SQLite file, demo data, a manual clock, and
/// mail either to a real SMTP server or to a pickup folder. In memory by default; on a real Kestrel
/// socket (for browsers) with <c>useKestrel: true</c>. Configure with <see cref="With(string, string?)"/>
/// and friends before the first request or <see cref="Start"/>.
/// <para>
/// The database is SQLite unless <see cref="WithPostgres"/> is called or the run sets
/// <c>PORTAL_TEST_DATABASE=Postgres</c> (the test command's second pass): then each factory gets a
/// fresh PostgreSQL database of its own, or shares the one it was given.
/// </para>
/// </summary>
public sealed class PortalAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _overrides = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Action<IServiceCollection>> _serviceOverrides = [];
    private bool _configured;
    private bool _cleanedUp;
    private DatabaseChoice _database = DatabaseChoice.FromEnvironment;
    private bool _ownsPostgres;

    static PortalAppFactory()
    {
        // Every host watches its config files and content root with inotify, and Linux allows 128
        // inotify instances per user; dozens of portals in one test run would exhaust them.
        // Polling watchers use none (config is not reloaded in tests anyway).
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
    }

    public PortalAppFactory(SmtpTestServer? smtp = null, bool useKestrel = false)
    {
        Smtp = smtp;
        UsesKestrel = useKestrel;
        TempDirectory = Path.Combine(Path.GetTempPath(), "portal-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(TempDirectory);

        if (useKestrel)
        {
            var port = FreePort.Next();
            ServerAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
            UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        }
        else
        {
            // https so that Secure cookies travel as they would in production; the in-memory server accepts any scheme.
            ServerAddress = new Uri("https://localhost/");
        }

        ClientOptions.BaseAddress = ServerAddress;
        ClientOptions.AllowAutoRedirect = false;
    }

    /// <summary>The clock the app sees; it replaces the registered <see cref="TimeProvider"/>.</summary>
    public ManualTimeProvider Clock { get; } = new();

    public SmtpTestServer? Smtp { get; }

    public bool UsesKestrel { get; }

    /// <summary>The app's base address, known before start: <c>https://localhost/</c> in memory, <c>http://127.0.0.1:{port}/</c> on Kestrel.</summary>
    public Uri ServerAddress { get; }

    /// <summary>A folder of this instance only, deleted on dispose.</summary>
    public string TempDirectory { get; }

    /// <summary>The SQLite file; meaningless when the app runs on PostgreSQL (see <see cref="UsesPostgres"/>).</summary>
    public string DatabasePath => Path.Combine(TempDirectory, "portal.db");

    /// <summary>The variable that makes every factory that did not choose run on PostgreSQL.</summary>
    public const string DatabaseVariable = "PORTAL_TEST_DATABASE";

    /// <summary>True when this run asks factories to use PostgreSQL unless a test chose otherwise.</summary>
    public static bool PostgresByDefault =>
        string.Equals(Environment.GetEnvironmentVariable(DatabaseVariable), "Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the app runs on PostgreSQL (decided by the time the app starts).</summary>
    public bool UsesPostgres => _database == DatabaseChoice.Postgres || (_database == DatabaseChoice.FromEnvironment && PostgresByDefault);

    /// <summary>The PostgreSQL database the app runs on, created on first use when the factory owns it.</summary>
    public PostgresTestDatabase? Postgres { get; private set; }

    /// <summary>Where mails go when no SMTP server was given.</summary>
    public string MailPickupDirectory => Path.Combine(TempDirectory, "mail");

    public string EnvironmentName { get; private set; } = "Development";

    /// <summary>The configuration the app starts with: the defaults below, then what tests set.</summary>
    public IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["ConnectionStrings:Portal"] = UsesPostgres ? EnsurePostgres().ConnectionString : $"Data Source={DatabasePath}",
                ["Database:Provider"] = UsesPostgres ? "Postgres" : "Sqlite",
                ["Portal:PublicBaseUrl"] = ServerAddress.GetLeftPart(UriPartial.Authority),
                ["Portal:SeedDemoData"] = "true",
                ["Email:Dispatcher:PollInterval"] = "00:00:00.200",
                // The daily jobs (retention sweep, staff summary) would run whenever a test moves the
                // clock and delete or mail behind its back; tests of those jobs turn them on.
                ["Jobs:Enabled"] = "false",
                // The signing-key refresh ticks on the test clock, once per interval passed: a test that
                // moves the clock a year would reload the keys 105,000 times at the default 5 minutes.
                ["Oidc:KeyRefreshInterval"] = "01:00:00",
                // Every instance of the run shares one certificate, as every instance of a deployment does.
                ["DataProtection:Certificate:Path"] = TestCertificate.Path,
                ["DataProtection:Certificate:Password"] = TestCertificate.Password,
                // Tests that need a staff member enrolled create the invitation themselves (PortalHost.StaffAsync).
                ["Staff:InviteDemoStaff"] = "false",
                // Request logs of every test would drown the failures in CI output.
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            };
            if (Smtp is not null)
            {
                settings["Email:Transport"] = "Smtp";
                settings["Email:Smtp:Host"] = Smtp.Host;
                settings["Email:Smtp:Port"] = Smtp.Port.ToString(CultureInfo.InvariantCulture);
                // The test server speaks plain SMTP on loopback; production uses STARTTLS.
                settings["Email:Smtp:Security"] = "None";
            }
            else
            {
                settings["Email:Transport"] = "Pickup";
                settings["Email:PickupDirectory"] = MailPickupDirectory;
            }

            foreach (var (key, value) in _overrides)
            {
                if (value is null)
                {
                    settings.Remove(key);
                }
                else
                {
                    settings[key] = value;
                }
            }

            return settings;
        }
    }

    /// <summary>Sets a configuration value; null removes one of the defaults.</summary>
    public PortalAppFactory With(string key, string? value)
    {
        EnsureNotStarted();
        _overrides[key] = value;
        return this;
    }

    public PortalAppFactory With(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (key, value) in settings)
        {
            With(key, value);
        }

        return this;
    }

    /// <summary>
    /// Runs the app on PostgreSQL: on <paramref name="shared"/> (not dropped by this factory), so
    /// several instances can share one database, or on a fresh database this factory drops.
    /// </summary>
    public PortalAppFactory WithPostgres(PostgresTestDatabase? shared = null)
    {
        EnsureNotStarted();
        _database = DatabaseChoice.Postgres;
        if (shared is not null)
        {
            Postgres = shared;
            _ownsPostgres = false;
        }

        return this;
    }

    /// <summary>Runs the app on the database of <paramref name="other"/> (its SQLite file or its PostgreSQL database), as a second instance or a restart.</summary>
    public PortalAppFactory SharingDatabaseWith(PortalAppFactory other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.UsesPostgres)
        {
            return WithPostgres(other.EnsurePostgres());
        }

        WithSqlite();
        return With("ConnectionStrings:Portal", $"Data Source={other.DatabasePath}");
    }

    /// <summary>Keeps the app on its SQLite file even in a PostgreSQL run, for tests about the file itself.</summary>
    public PortalAppFactory WithSqlite()
    {
        EnsureNotStarted();
        _database = DatabaseChoice.Sqlite;
        return this;
    }

    public PortalAppFactory WithEnvironment(string environmentName)
    {
        EnsureNotStarted();
        EnvironmentName = environmentName;
        return this;
    }

    /// <summary>Replaces services after the app registered its own (runs after the clock swap).</summary>
    public PortalAppFactory WithServices(Action<IServiceCollection> configure)
    {
        EnsureNotStarted();
        _serviceOverrides.Add(configure);
        return this;
    }

    /// <summary>Builds and starts the app now (needed before a browser can connect in Kestrel mode).</summary>
    public PortalAppFactory Start()
    {
        StartServer();
        return this;
    }

    /// <summary>A client with its own cookie jar that does not follow redirects.</summary>
    public CookieAwareClient CreateCookieAwareClient()
    {
        StartServer();
        return UsesKestrel
            ? CookieAwareClient.ForServer(ServerAddress)
            : new CookieAwareClient(Server.CreateHandler(), ServerAddress);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        _configured = true;
        builder.UseEnvironment(EnvironmentName);
        // UseSetting feeds host configuration, which Program sees before builder.Build().
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            foreach (var configure in _serviceOverrides)
            {
                configure(services);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing || _cleanedUp)
        {
            return;
        }

        _cleanedUp = true;
        if (_ownsPostgres)
        {
            Postgres?.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Something still holds a file; a stray folder in /tmp is not worth failing a test for.
        }
    }

    private PostgresTestDatabase EnsurePostgres()
    {
        if (Postgres is null)
        {
            Postgres = new PostgresTestDatabase();
            _ownsPostgres = true;
        }

        return Postgres;
    }

    private void EnsureNotStarted()
    {
        if (_configured)
        {
            throw new InvalidOperationException("The app has already started; configure the factory before the first request.");
        }
    }
}

internal enum DatabaseChoice
{
    FromEnvironment,
    Sqlite,
    Postgres,
}
