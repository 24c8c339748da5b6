using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using PrivacyPortal.Data;
using PrivacyPortal.Features.Email;
using PrivacyPortal.Testing.Database;
using PrivacyPortal.Testing.Web;

namespace PrivacyPortal.Tests.Features.Email;

/// <summary>A clock that moves only when told to.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}

/// <summary>
/// The email feature as the app registers it (<see cref="EmailRegistration.AddPortalEmail(IServiceCollection, IConfiguration)"/>)
/// over a real SQLite file, without the web app around it. In a PostgreSQL run
/// (<c>PORTAL_TEST_DATABASE=Postgres</c>) the file's path names a PostgreSQL database instead, so
/// hosts given the same path share one database there too.
/// </summary>
internal sealed class EmailTestHost : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private bool started;

    private EmailTestHost(ServiceProvider services, ManualClock clock, LogCapture logs)
    {
        this.services = services;
        Clock = clock;
        Logs = logs;
    }

    public ManualClock Clock { get; }

    public LogCapture Logs { get; }

    public OutboxDispatcher Dispatcher => services.GetRequiredService<OutboxDispatcher>();

    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    /// <summary>Settings on top of a base that sends to <paramref name="smtpPort"/> without TLS and polls every 200 ms.</summary>
    public static async Task<EmailTestHost> CreateAsync(
        string databasePath,
        string contentRoot,
        int smtpPort,
        IDictionary<string, string?>? settings = null,
        ManualClock? clock = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Email:Transport"] = "Smtp",
            ["Email:From"] = "Innore privacy portal <privacy@innore.eu>",
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:Smtp:Timeout"] = "00:00:10",
            ["Email:Dispatcher:PollInterval"] = "00:00:00.200",
            ["Email:Dispatcher:BackoffBase"] = "00:01:00",
            ["Email:Dispatcher:BackoffCap"] = "00:10:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        clock ??= new ManualClock(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        var logs = new LogCapture();
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        collection.AddSingleton<TimeProvider>(clock);
        collection.AddSingleton<IHostEnvironment>(new HostingEnvironment
        {
            EnvironmentName = "Testing",
            ApplicationName = "PrivacyPortal",
            ContentRootPath = contentRoot,
        });
        var postgres = PortalAppFactory.PostgresByDefault ? TempFolder.PostgresFor(databasePath) : null;
        collection.AddDbContext<PortalDbContext>(db => (postgres is null
                ? db.UseSqlite($"Data Source={databasePath}")
                : db.UseNpgsql(postgres.ConnectionString))
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
        collection.AddPortalEmail(configuration);
        var host = new EmailTestHost(collection.BuildServiceProvider(validateScopes: true), clock, logs);

        await using var scope = host.services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        await db.Database.MigrateAsync();
        if (postgres is null)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }

        return host;
    }

    public async Task StartAsync()
    {
        await Dispatcher.StartAsync(CancellationToken.None);
        started = true;
    }

    /// <summary>Queues mails the way producers do: through <see cref="Outbox"/> and one SaveChanges.</summary>
    public Task<IReadOnlyList<Guid>> EnqueueAsync(params (string To, EmailContent Content)[] mails) => EnqueueAsync(false, mails);

    /// <summary>Queues mails that carry a sign-in link or code, as the sign-in page does.</summary>
    public Task<IReadOnlyList<Guid>> EnqueueSecretAsync(params (string To, EmailContent Content)[] mails) => EnqueueAsync(true, mails);

    private async Task<IReadOnlyList<Guid>> EnqueueAsync(bool containsSecret, (string To, EmailContent Content)[] mails)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
        var ids = mails.Select(m => outbox.Enqueue(m.To, m.Content, "test", containsSecret).Id).ToList();
        await db.SaveChangesAsync();
        return ids;
    }

    public async Task<OutboxMessage> FindAsync(Guid id)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Outbox.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    public async Task<List<OutboxMessage>> AllAsync()
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.Outbox.AsNoTracking().ToListAsync();
    }

    /// <summary>Waits, in real time, until <paramref name="condition"/> holds.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting: {because}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (started)
        {
            await Dispatcher.StopAsync(CancellationToken.None);
        }

        await services.DisposeAsync();
    }
}

internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
    }
}

/// <summary>A fresh folder with a SQLite file in it (or, in a PostgreSQL run, a database named by it), removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    private static readonly ConcurrentDictionary<string, Lazy<PostgresTestDatabase>> PostgresDatabases = new();

    /// <summary>The PostgreSQL database standing in for the SQLite file at <paramref name="databasePath"/>.</summary>
    public static PostgresTestDatabase PostgresFor(string databasePath) =>
        PostgresDatabases.GetOrAdd(databasePath, _ => new Lazy<PostgresTestDatabase>(() => new PostgresTestDatabase())).Value;

    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pp-email-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Database => System.IO.Path.Combine(Path, "portal.db");

    public void Dispose()
    {
        if (PostgresDatabases.TryRemove(Database, out var postgres) && postgres.IsValueCreated)
        {
            postgres.Value.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
