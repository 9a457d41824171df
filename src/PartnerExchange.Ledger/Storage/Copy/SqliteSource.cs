using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Storage.Sqlite;

namespace PartnerExchange.Ledger.Storage.Copy;

/// <summary>
/// A SQLite ledger opened to be copied: one read transaction, so everything copied and verified is one snapshot, on a
/// connection that cannot write (<c>query_only</c>) and never creates a missing file. It checks that the file is at
/// this release's schema, and tells afterwards whether anyone committed to the file meanwhile (which a stopped
/// exchange does not).
/// </summary>
internal sealed class SqliteSource : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _snapshot;
    private readonly long _dataVersionBefore;

    private SqliteSource(string path, SqliteConnection connection, SqliteTransaction snapshot, long dataVersionBefore)
    {
        Path = path;
        _connection = connection;
        _snapshot = snapshot;
        _dataVersionBefore = dataVersionBefore;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    public SqliteTransaction Snapshot => _snapshot;

    /// <summary>Opens the file's snapshot; refuses a missing file and one not at this release's schema.</summary>
    public static async Task<SqliteSource> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = System.IO.Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new LedgerCopyException($"There is no SQLite ledger at {fullPath}.");
        }
        var connection = new SqliteConnection(ConnectionString(fullPath));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, "PRAGMA query_only=ON;", cancellationToken).ConfigureAwait(false);
            var dataVersion = await ScalarAsync(connection, null, "PRAGMA data_version;", cancellationToken).ConfigureAwait(false);
            // Deferred: a read transaction whose snapshot is taken at its first read and never takes the write lock.
            var snapshot = connection.BeginTransaction(deferred: true);
            var source = new SqliteSource(fullPath, connection, snapshot, dataVersion);
            await source.RefuseOtherSchemaAsync(cancellationToken).ConfigureAwait(false);
            return source;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connection string a copy or backup reads a ledger file with: never creating it, unpooled.</summary>
    internal static string ConnectionString(string fullPath) => new SqliteConnectionStringBuilder
    {
        DataSource = fullPath,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Runs every invariant of the ledger on the snapshot.</summary>
    public Task<LedgerVerification> VerifyAsync(CancellationToken cancellationToken) => LedgerInvariants.VerifyAsync(_snapshot, cancellationToken);

    /// <summary>Hands each row of <paramref name="table"/> to <paramref name="row"/>, in key order.</summary>
    public async Task ForEachRowAsync(LedgerTable table, Action<SqliteDataReader> row, CancellationToken cancellationToken)
    {
        await using var command = Command(_connection, _snapshot,
            $"SELECT {table.ColumnList} FROM {LedgerTable.Quote(table.Name)} ORDER BY {string.Join(", ", table.KeyColumns.Select(LedgerTable.Quote))}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        // Microsoft.Data.Sqlite reads synchronously even through its async methods: the row loop skips their machinery.
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            row(reader);
        }
    }

    /// <summary>
    /// The highest id SQLite ever gave a row of each AUTOINCREMENT table (events' cursors, say): ids at or below it
    /// must never be given again, even where the rows that held them are gone.
    /// </summary>
    public async Task<Dictionary<string, long>> IssuedIdsAsync(CancellationToken cancellationToken)
    {
        var issued = new Dictionary<string, long>(StringComparer.Ordinal);
        if (await ScalarAsync(_connection, _snapshot, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'", cancellationToken)
                .ConfigureAwait(false) == 0)
        {
            return issued;
        }
        await using var command = Command(_connection, _snapshot, "SELECT name, seq FROM sqlite_sequence");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            issued[reader.GetString(0)] = reader.GetInt64(1);
        }
        return issued;
    }

    /// <summary>Ends the snapshot; true when another connection committed to the file since it was opened.</summary>
    public async Task<bool> WasWrittenMeanwhileAsync(CancellationToken cancellationToken)
    {
        await _snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);
        // data_version changes on this connection when any other connection commits to the file.
        return await ScalarAsync(_connection, null, "PRAGMA data_version;", cancellationToken).ConfigureAwait(false) != _dataVersionBefore;
    }

    public async ValueTask DisposeAsync()
    {
        await _snapshot.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses a file whose migration history is not exactly this release's, and one holding a table the model does
    /// not know: the copy reads and writes the model's tables, so both would lose something.
    /// </summary>
    private async Task RefuseOtherSchemaAsync(CancellationToken cancellationToken)
    {
        var expected = ReleaseMigrations();
        var tables = await StringsAsync("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", cancellationToken)
            .ConfigureAwait(false);
        var applied = tables.Contains("__EFMigrationsHistory")
            ? await StringsAsync("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\"", cancellationToken).ConfigureAwait(false)
            : [];
        if (!applied.SetEquals(expected))
        {
            var last = applied.Max(StringComparer.Ordinal) ?? "none";
            throw new LedgerCopyException(
                $"The ledger {Path} is not at this release's schema (its last migration is {last}; this release's is {expected[^1]}). " +
                "The copy never changes its source: start this release's exchange on the ledger once (it migrates the file at start), " +
                "stop it, then copy.");
        }
        // EF Core's own tables (its history, its migration lock) are not the ledger's.
        var unknown = tables.Where(t => !t.StartsWith("__EF", StringComparison.Ordinal) && LedgerTables.All.All(m => m.Name != t)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new LedgerCopyException(
                $"The ledger {Path} has tables the ledger model does not describe ({string.Join(", ", unknown)}); the copy would leave them behind.");
        }
    }

    /// <summary>The ids of this release's SQLite migrations, oldest first.</summary>
    private static List<string> ReleaseMigrations()
    {
        using var context = new SqliteLedgerContext(new DbContextOptionsBuilder<SqliteLedgerContext>().UseSqlite("Data Source=:memory:").Options);
        return context.GetService<IMigrationsAssembly>().Migrations.Keys.Order(StringComparer.Ordinal).ToList();
    }

    private async Task<HashSet<string>> StringsAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(_connection, _snapshot, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var values = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
