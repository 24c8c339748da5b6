using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PrivacyPortal.Testing.Infrastructure;

namespace PrivacyPortal.Testing.Database;

/// <summary>
/// The PostgreSQL server the tests create their databases in. tests/run-all.sh starts one and
/// exports <c>PORTAL_TEST_POSTGRES</c> (an Npgsql connection string to the <c>postgres</c> database).
/// Without it, in CI (<c>CI</c> or <c>PORTAL_REQUIRE_POSTGRES</c> set) the tests fail at once; on a
/// developer's machine a private server is started from Debian's <c>postgresql</c> binaries for the
/// length of the test run, so <c>dotnet test</c> alone runs the PostgreSQL tests too and never
/// skips them.
/// </summary>
public static class PostgresServer
{
    public const string ConnectionVariable = "PORTAL_TEST_POSTGRES";

    private static readonly Lazy<string> AdminConnection = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);
    private static string? _privateDirectory;
    private static string? _privateBin;

    /// <summary>A connection string to the server's <c>postgres</c> database, as a superuser.</summary>
    public static string AdminConnectionString => AdminConnection.Value;

    /// <summary>True when CI asked for PostgreSQL to be provided, so missing it is a failure, not a reason to start one.</summary>
    public static bool Required =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PORTAL_REQUIRE_POSTGRES"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    private static string Resolve()
    {
        if (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        if (Required)
        {
            throw new InvalidOperationException(
                $"{ConnectionVariable} is not set, but this run requires PostgreSQL (CI or PORTAL_REQUIRE_POSTGRES is set). "
                + "Run the tests through tests/run-all.sh, which starts a throwaway server and exports it.");
        }

        return StartPrivateServer();
    }

    private static string StartPrivateServer()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                $"{ConnectionVariable} is not set and no PostgreSQL server binaries were found under /usr/lib/postgresql. "
                + "Install Debian's postgresql package or run tests/run-all.sh.");
        }

        RemoveStaleServers();
        var directory = Directory.CreateTempSubdirectory(StaleServerPrefix).FullName;
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // postgres refuses to run as root, so the data folder belongs to the postgres user.
            Run("chown", "postgres:postgres", directory);
        }

        var port = FreePort.Next();
        var data = Path.Combine(directory, "data");
        RunAsPostgres(asRoot, Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        RunAsPostgres(asRoot, Path.Combine(bin, "pg_ctl"), "-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start",
            "-o", string.Create(CultureInfo.InvariantCulture,
                $"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"));
        _privateDirectory = directory;
        _privateBin = bin;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopPrivateServer(asRoot);
        return string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
    }

    private const string StaleServerPrefix = "portal-test-pg-";

    /// <summary>
    /// The test host may be killed before its exit handler stops the server (the runner ends the
    /// whole process tree); such a server is gone but its folder stays. Folders without a live
    /// server are removed here, at the next start.
    /// </summary>
    private static void RemoveStaleServers()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), StaleServerPrefix + "*"))
        {
            var pidFile = Path.Combine(directory, "data", "postmaster.pid");
            try
            {
                if (File.Exists(pidFile)
                    && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid)
                    && Directory.Exists($"/proc/{pid}"))
                {
                    continue;
                }

                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Another test run is using or removing it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static void StopPrivateServer(bool asRoot)
    {
        if (_privateDirectory is null || _privateBin is null)
        {
            return;
        }

        try
        {
            RunAsPostgres(asRoot, Path.Combine(_privateBin, "pg_ctl"), "-D", Path.Combine(_privateDirectory, "data"), "-m", "immediate", "-w", "stop");
            Directory.Delete(_privateDirectory, recursive: true);
        }
        catch (InvalidOperationException)
        {
            // The process is exiting; a stray folder in /tmp is all that is left.
        }
        catch (IOException)
        {
        }
    }

    private static void RunAsPostgres(bool asRoot, string program, params string[] arguments)
    {
        if (asRoot)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. arguments]);
        }
        else
        {
            Run(program, arguments);
        }
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{output.Result}");
        }
    }
}
