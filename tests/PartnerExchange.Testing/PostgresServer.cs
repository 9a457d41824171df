using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace PartnerExchange.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster owned by the tests, like <see cref="RedisServer"/>: <c>initdb</c> into a temporary
/// folder, <c>postgres</c> on a free loopback port with its socket in that folder, fsync and synchronous commit on
/// (durability is part of what the tests check), stopped and deleted when the test process ends, by a watchdog shell
/// that does it even if the test process is killed. One cluster serves the whole test assembly (<see cref="Shared"/>);
/// each test takes a database of its own from <see cref="CreateDatabaseAsync"/>.
/// PostgreSQL refuses to run as root, so under root the cluster runs as the unprivileged system user
/// <see cref="ClusterUser"/>, created if missing.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>The system user a root test run starts PostgreSQL as.</summary>
    public const string ClusterUser = "pxtest";

    private const string Superuser = "postgres";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs postgres (the arguments after the test process's id and the cluster's folder) and, when the test process
    /// is gone however it ended, or asks by creating the file <c>stop</c>, shuts it down fast (SIGINT) and deletes the
    /// folder. A test host that is killed, or whose exit handlers are cut short, leaves no cluster running.
    /// </summary>
    private const string Watchdog = """
        parent=$1; folder=$2; shift 2
        "$@" >"$folder/postgres.log" 2>&1 &
        postgres=$!
        while kill -0 "$parent" 2>/dev/null && kill -0 "$postgres" 2>/dev/null && [ ! -e "$folder/stop" ]; do sleep 0.2; done
        kill -INT "$postgres" 2>/dev/null
        wait "$postgres"
        if kill -0 "$parent" 2>/dev/null && [ ! -e "$folder/stop" ]; then tail -n 30 "$folder/postgres.log" >&2; fi
        rm -rf "$folder"
        """;

    private static readonly Lazy<PostgresServer> SharedServer = new(() =>
    {
        var server = new PostgresServer();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        return server;
    });

    // Straight under the temporary folder, which every user may pass through: the cluster's user must reach its folder.
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-postgres-" + Guid.NewGuid().ToString("N"));
    private readonly string _password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private readonly string _binaries;
    private readonly bool _asClusterUser;
    private Process? _watchdog;

    public PostgresServer()
    {
        _binaries = FindBinaries();
        _asClusterUser = Environment.UserName == "root";
        Port = LoopbackPorts.Free();
        try
        {
            InitializeCluster();
            Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The cluster of this test process, started on first use.</summary>
    public static PostgresServer Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>A connection string to the maintenance database as the cluster's superuser.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    /// <summary>A connection string to <paramref name="database"/> as the cluster's superuser, without pooling.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Password = _password,
        Database = database,
        // Pooled sessions would outlive a test's database and stop DROP DATABASE.
        Pooling = false,
    }.ToString();

    /// <summary>Creates an empty database (a copy of template1, which is fast) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "px_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, ending any session still on it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Has the watchdog stop the cluster with a fast shutdown (a kill if that hangs) and delete its folder.</summary>
    public void Dispose()
    {
        if (_watchdog is { } watchdog)
        {
            if (!watchdog.HasExited && Directory.Exists(_folder))
            {
                File.WriteAllText(Path.Combine(_folder, "stop"), "");
            }
            if (!watchdog.WaitForExit(StopTimeout))
            {
                watchdog.Kill(entireProcessTree: true);
                watchdog.WaitForExit();
            }
            watchdog.Dispose();
            _watchdog = null;
        }
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private string DataDirectory => Path.Combine(_folder, "data");

    private string SocketDirectory => Path.Combine(_folder, "socket");

    private void InitializeCluster()
    {
        Directory.CreateDirectory(SocketDirectory);
        var passwordFile = Path.Combine(_folder, "password");
        File.WriteAllText(passwordFile, _password);
        if (_asClusterUser)
        {
            EnsureClusterUser();
            RunToEnd("chown", ["-R", $"{ClusterUser}:", _folder], asClusterUser: false);
        }
        RunToEnd(Path.Combine(_binaries, "initdb"),
            ["--pgdata", DataDirectory, "--username", Superuser, "--pwfile", passwordFile, "--auth", "scram-sha-256",
             "--encoding", "UTF8", "--no-locale", "--no-instructions",
             // Flushing the new cluster's files is not what the tests check (a crash discards the cluster anyway);
             // the server itself runs with fsync on.
             "--no-sync"],
            _asClusterUser);
        File.Delete(passwordFile);
    }

    private void Start()
    {
        var postgres = Command(Path.Combine(_binaries, "postgres"),
            ["-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture), "-c", "listen_addresses=127.0.0.1",
             "-c", $"unix_socket_directories={SocketDirectory}", "-c", "fsync=on", "-c", "synchronous_commit=on",
             "-c", "full_page_writes=on", "-c", "shared_buffers=32MB", "-c", "max_connections=200"],
            _asClusterUser);
        var start = new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", Watchdog, "watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), _folder, postgres.FileName },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in postgres.ArgumentList)
        {
            start.ArgumentList.Add(argument);
        }
        _watchdog = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start.");
        WaitUntilAnswering();
    }

    private void WaitUntilAnswering()
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_watchdog!.HasExited)
            {
                throw new InvalidOperationException($"postgres exited at start: {_watchdog.StandardError.ReadToEnd()}");
            }
            try
            {
                using var connection = new NpgsqlConnection(AdminConnectionString);
                connection.Open();
                return;
            }
            catch (NpgsqlException e)
            {
                if (waited.Elapsed > StartTimeout)
                {
                    throw new InvalidOperationException($"postgres did not answer on port {Port} within {StartTimeout}: {ReadLog()}", e);
                }
                Thread.Sleep(50);
            }
        }
    }

    private string ReadLog()
    {
        var log = Path.Combine(_folder, "postgres.log");
        return File.Exists(log) ? string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(30)) : "(no log)";
    }

    /// <summary>PostgreSQL's server programs: on PATH, else in Debian's /usr/lib/postgresql/VERSION/bin, newest first.</summary>
    private static string FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(VersionOf).Select(d => Path.Combine(d, "bin"))
            : [];
        return onPath.Concat(debian).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")))
            ?? throw new InvalidOperationException(
                "PostgreSQL's server programs (initdb, postgres) are neither on PATH nor in /usr/lib/postgresql/*/bin: " +
                "install Debian's postgresql package (tools/test.sh does).");
    }

    private static int VersionOf(string directory) =>
        int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;

    private static void EnsureClusterUser()
    {
        if (RunToEnd("id", ["-u", ClusterUser], asClusterUser: false, throwOnFailure: false) == 0)
        {
            return;
        }
        // Two test processes may start at once: the loser's useradd fails on the existing user, which is fine.
        RunToEnd("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", ClusterUser], asClusterUser: false, throwOnFailure: false);
        RunToEnd("id", ["-u", ClusterUser], asClusterUser: false);
    }

    /// <summary>
    /// The start of <paramref name="program"/>, under root as <see cref="ClusterUser"/> through setpriv, which executes
    /// the program in its own place: the process started is the program itself, so signals reach it.
    /// </summary>
    private static ProcessStartInfo Command(string program, IEnumerable<string> arguments, bool asClusterUser)
    {
        var start = new ProcessStartInfo(asClusterUser ? "setpriv" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asClusterUser)
        {
            foreach (var argument in (string[])["--reuid", ClusterUser, "--regid", ClusterUser, "--clear-groups", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    private static int RunToEnd(string program, IEnumerable<string> arguments, bool asClusterUser, bool throwOnFailure = true)
    {
        using var process = Process.Start(Command(program, arguments, asClusterUser))
            ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && throwOnFailure)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {output.Result}{error}");
        }
        return process.ExitCode;
    }
}
