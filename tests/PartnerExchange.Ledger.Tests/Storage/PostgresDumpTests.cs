using System.Diagnostics;
using Npgsql;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Storage.Copy;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Testing;

namespace PartnerExchange.Ledger.Tests.Storage;

/// <summary>
/// The logical backup docs/operations.md gives for a PostgreSQL ledger, run as written: <c>pg_dump -Fc</c> of a ledger
/// copied from SQLite, <c>pg_restore</c> into a new database, and the checks after a restore: every row back, the
/// ledger verifying clean, and the id generators where they were.
/// </summary>
public sealed class PostgresDumpTests : IAsyncLifetime
{
    private const string Sequences = "SELECT sequencename || ' ' || last_value FROM pg_sequences WHERE schemaname = current_schema()";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-dump-tests", Guid.NewGuid().ToString("N"));
    private string _original = "";
    private string _restored = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _original = await PostgresServer.Shared.CreateDatabaseAsync();
        _restored = await PostgresServer.Shared.CreateDatabaseAsync();
        await using var ledger = await LedgerHarness.StartAsync();
        await CopySubjects.BuildEveryKindAsync(ledger);
        await ledger.DisposeWriterAsync();
        Assert.True((await LedgerCopy.CopyAsync(ledger.Options.DatabasePath, _original, null, CancellationToken.None)).Committed);
    }

    public async Task DisposeAsync()
    {
        await PostgresServer.Shared.DropDatabaseAsync(_original);
        await PostgresServer.Shared.DropDatabaseAsync(_restored);
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task PgDumpThenPgRestore_CopiedLedger_RestoresEveryRowVerifiedWithItsIdGenerators()
    {
        var dump = Path.Combine(_folder, "ledger.dump");

        await RunAsync("pg_dump", _original, "--format=custom", "--file", dump);
        await RunAsync("pg_restore", _restored, "--no-owner", "--exit-on-error", dump);

        foreach (var table in await CopySubjects.PostgresTablesAsync(_original))
        {
            Assert.Equal(await CopySubjects.PostgresTableAsync(_original, table), await CopySubjects.PostgresTableAsync(_restored, table));
        }
        Assert.Equal(await CopySubjects.PostgresRowsAsync(_original, Sequences), await CopySubjects.PostgresRowsAsync(_restored, Sequences));
        await using var connection = new NpgsqlConnection(_restored);
        await connection.OpenAsync();
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var verification = await LedgerInvariants.VerifyAsync(snapshot, CancellationToken.None);
        Assert.True(verification.Ok, string.Join('\n', verification.Findings));
        Assert.True(verification.TransactionCount > 0);
    }

    /// <summary>Runs one of PostgreSQL's client programs against <paramref name="connectionString"/>'s database.</summary>
    private static async Task RunAsync(string program, string connectionString, params string[] arguments)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(ClientProgram(program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["PGPASSWORD"] = target.Password },
        };
        foreach (var argument in (string[])["--host", target.Host!, "--port", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--username", target.Username!, "--dbname", target.Database!, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} exited {process.ExitCode}: {await output}{error}");
    }

    /// <summary>A client program of the PostgreSQL the test cluster runs: on PATH, else Debian's newest.</summary>
    private static string ClientProgram(string name)
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d.Length).ThenByDescending(d => d, StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        return onPath.Concat(debian).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} is neither on PATH nor in /usr/lib/postgresql/*/bin: install Debian's postgresql-client.");
    }
}
