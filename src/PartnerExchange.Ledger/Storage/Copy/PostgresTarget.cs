using System.Globalization;
using Npgsql;
using PartnerExchange.Ledger.Reading;

namespace PartnerExchange.Ledger.Storage.Copy;

/// <summary>
/// The PostgreSQL database a ledger is copied into, inside one transaction that holds every ledger table locked
/// against anyone else (a server started too early, a second copy) until it commits or rolls back.
/// </summary>
internal sealed class PostgresTarget : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private PostgresTarget(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public NpgsqlTransaction Transaction => _transaction;

    /// <summary>
    /// The model's tables that exist in the database and hold rows, read without locking or creating anything: a target
    /// that is not empty is refused before it is migrated, so a refused copy changes nothing.
    /// </summary>
    public static async Task<List<string>> TablesWithRowsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var existing = await ExistingTablesAsync(connection, null, cancellationToken).ConfigureAwait(false);
        return await WithRowsAsync(connection, null, LedgerTables.PostgresTableNames.Where(existing.Contains), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the copy's transaction and locks every ledger table; refuses a database that holds ledger rows.</summary>
    public static async Task<PostgresTarget> OpenAsync(string connectionString, string description, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var target = new PostgresTarget(connection, transaction);
            await target.ExecuteAsync(
                $"LOCK TABLE {string.Join(", ", LedgerTables.PostgresTableNames.Select(LedgerTable.Quote))} IN ACCESS EXCLUSIVE MODE",
                cancellationToken).ConfigureAwait(false);
            var unknown = (await ExistingTablesAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
                .Where(name => !name.StartsWith("__EF", StringComparison.Ordinal) && !LedgerTables.PostgresTableNames.Contains(name, StringComparer.Ordinal))
                .Order(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new LedgerCopyException(
                    $"The PostgreSQL database {description} has tables the ledger model does not describe ({string.Join(", ", unknown)}); " +
                    "the copy would leave them empty.");
            }
            RefuseRows(description, await WithRowsAsync(connection, transaction, LedgerTables.PostgresTableNames, cancellationToken).ConfigureAwait(false));
            return target;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Throws the refusal of a target holding rows in <paramref name="tables"/>, if any.</summary>
    public static void RefuseRows(string description, IReadOnlyList<string> tables)
    {
        if (tables.Count > 0)
        {
            throw new LedgerCopyException(
                $"The PostgreSQL database {description} already holds ledger rows (in {string.Join(", ", tables)}). " +
                "A ledger is copied into an empty database only: create a new database and copy into it.");
        }
    }

    /// <summary>Starts the binary COPY of <paramref name="table"/>'s columns.</summary>
    public Task<NpgsqlBinaryImporter> ImportAsync(LedgerTable table, CancellationToken cancellationToken) =>
        _connection.BeginBinaryImportAsync(
            $"COPY {LedgerTable.Quote(table.Name)} ({table.ColumnList}) FROM STDIN (FORMAT BINARY)", cancellationToken);

    /// <summary>
    /// Moves each identity generator of <paramref name="table"/> past the largest id copied and past the largest id
    /// SQLite ever issued for it (<paramref name="issued"/>), so the next row PostgreSQL numbers reuses neither.
    /// </summary>
    public async Task AdvanceIdentitiesAsync(LedgerTable table, long issued, CancellationToken cancellationToken)
    {
        foreach (var column in table.IdentityColumns)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(MAX({LedgerTable.Quote(column)}), $3)) " +
                $"FROM {LedgerTable.Quote(table.Name)} HAVING GREATEST(MAX({LedgerTable.Quote(column)}), $3) > 0",
                _connection, _transaction);
            command.Parameters.AddWithValue(LedgerTable.Quote(table.Name));
            command.Parameters.AddWithValue(column);
            command.Parameters.AddWithValue(issued);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Digests <paramref name="table"/>'s rows as the copy's transaction sees them, in the order SQLite keys them.</summary>
    public async Task<(long Rows, string Digest)> DigestAsync(LedgerTable table, CancellationToken cancellationToken)
    {
        // SQLite orders text by its bytes (BINARY); the "C" collation orders UTF-8 text by its bytes too, whatever the
        // database's own collation, so both sides hand out the rows in one order.
        var order = string.Join(", ", table.KeyColumns.Select(k =>
            LedgerTable.Quote(k) + (table.Columns.First(c => c.Name == k).Type == ColumnType.Text ? " COLLATE \"C\"" : "")));
        await using var command = new NpgsqlCommand(
            $"SELECT {table.ColumnList} FROM {LedgerTable.Quote(table.Name)} ORDER BY {order}", _connection, _transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        using var digest = new TableDigest();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            digest.AddRow(reader, table.Columns);
        }
        return (digest.Rows, digest.Finish());
    }

    /// <summary>Runs every invariant of the ledger inside the copy's transaction.</summary>
    public Task<LedgerVerification> VerifyAsync(CancellationToken cancellationToken) => LedgerInvariants.VerifyAsync(_transaction, cancellationToken);

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public Task RollbackAsync(CancellationToken cancellationToken) => _transaction.RollbackAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A description of the database for people and logs: host, port, database and user, never the password.</summary>
    public static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var host = string.IsNullOrEmpty(builder.Host) ? "localhost" : builder.Host;
        return string.Create(CultureInfo.InvariantCulture, $"{builder.Database ?? builder.Username ?? "?"} on {host}:{builder.Port}") +
            (string.IsNullOrEmpty(builder.Username) ? "" : " as " + builder.Username);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, _connection, _transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HashSet<string>> ExistingTablesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    private static async Task<List<string>> WithRowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IEnumerable<string> tables, CancellationToken cancellationToken)
    {
        var checks = tables.Select(t => $"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {LedgerTable.Quote(t)})").ToList();
        var withRows = new List<string>();
        if (checks.Count == 0)
        {
            return withRows;
        }
        await using var command = new NpgsqlCommand(string.Join(" UNION ALL ", checks), connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            withRows.Add(reader.GetString(0));
        }
        withRows.Sort(StringComparer.Ordinal);
        return withRows;
    }
}
