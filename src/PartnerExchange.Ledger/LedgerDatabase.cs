using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Storage;

namespace PartnerExchange.Ledger;

/// <summary>
/// The ledger's database on its engine (<see cref="LedgerOptions.Engine"/>, chosen once from the options): the schema
/// migrations applied at start, a pool of open read connections with prepared statements for the hot reads, read
/// snapshots for reads that must agree with each other, and on SQLite the single writer's connections. Readers never
/// wait for the writer: SQLite's WAL and PostgreSQL's MVCC both let them read the last committed state beside it.
/// </summary>
public sealed class LedgerDatabase : IDisposable
{
    /// <summary>
    /// Most idle read connections kept open. Readers beyond it are closed on return; a connection costs a
    /// few hundred KB of page cache, and more readers than a small multiple of the cores never run at once.
    /// </summary>
    private const int MaxIdleReaders = 32;

    private readonly LedgerOptions _options;
    private readonly ILogger _logger;
    private readonly LedgerConnections _connections;
    // Idle readers in slots taken and filled by compare-and-swap: no lock and no allocation per read, where a
    // ConcurrentBag took a lock whenever a thread stole a connection another thread had given back.
    private readonly ReadConnection?[] _idleReaders = new ReadConnection?[MaxIdleReaders];
    private volatile bool _disposed;

    /// <summary>Creates the database handle from validated options; nothing is opened yet.</summary>
    public LedgerDatabase(IOptions<LedgerOptions> options, ILogger<LedgerDatabase>? logger = null)
    {
        _options = options.Value;
        _logger = logger ?? NullLogger<LedgerDatabase>.Instance;
        _connections = LedgerConnections.For(_options);
    }

    /// <summary>The engine the ledger lives on.</summary>
    public LedgerEngine Engine => _connections.Engine;

    /// <summary>
    /// The connection string: of the database file on SQLite, the configured Npgsql one on PostgreSQL. It may hold a
    /// password: log <see cref="Location"/> instead.
    /// </summary>
    public string ConnectionString => _connections.ConnectionString;

    /// <summary>Where the ledger lives, fit for a log: the file's full path, or user@host:port/database (never a password).</summary>
    public string Location => _connections.Location;

    /// <summary>
    /// Brings the schema up to this release: on SQLite after creating the folder and switching the file to WAL, on
    /// PostgreSQL in the existing database. Processes that share the database migrate one at a time; a process killed
    /// while migrating never stops the next start.
    /// </summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => _connections.MigrateAsync(_logger, cancellationToken);

    /// <summary>
    /// A random secret stored in the database under <paramref name="name"/>, created on first use, so every
    /// server sharing the database shares it (quote signing, say).
    /// </summary>
    public async Task<byte[]> GetOrCreateSecretAsync(string name, int lengthBytes, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenWritableAsync(cancellationToken).ConfigureAwait(false);
        // Whoever inserts first wins; everyone then reads the one stored value.
        await using (var insert = Command(connection, null,
            "INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT DO NOTHING",
            ("@name", name), ("@value", System.Security.Cryptography.RandomNumberGenerator.GetBytes(lengthBytes))))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await using var select = Command(connection, null, "SELECT value FROM settings WHERE name = @name", ("@name", name));
        return (byte[])(await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Setting {name} could not be stored."));
    }

    /// <summary>
    /// Opens one read snapshot of the ledger: every command of it sees the same committed state, whatever commits
    /// meanwhile (SQLite: a deferred read transaction in WAL mode; PostgreSQL: a read-only REPEATABLE READ transaction).
    /// It never holds up the writer. Dispose it to end the transaction.
    /// </summary>
    internal async Task<ReadSnapshot> OpenSnapshotAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (connection, transaction) = await _connections.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        return new ReadSnapshot(connection, transaction);
    }

    /// <summary>An EF context of the engine's model for the list reads; it tracks nothing.</summary>
    internal ExchangeDbContext CreateContext() => _connections.CreateContext();

    /// <summary>PostgreSQL: where the single writer's session comes from; disposed with this database.</summary>
    internal Npgsql.NpgsqlDataSource PostgresWriterSource => _connections.WriterDataSource;

    /// <summary>A command on <paramref name="connection"/> (in <paramref name="transaction"/>, if any) with these parameters.</summary>
    internal static DbCommand Command(
        DbConnection connection, DbTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>
    /// Runs one read on a pooled connection. Microsoft.Data.Sqlite reads synchronously even through its async
    /// methods, so running synchronously here costs no thread more and saves the async machinery.
    /// </summary>
    internal T Read<TState, T>(TState state, Func<ReadConnection, TState, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = RentReader();
        var healthy = false;
        try
        {
            var result = read(connection, state);
            healthy = true;
            return result;
        }
        finally
        {
            Return(connection, healthy);
        }
    }

    /// <summary>
    /// An open read-only connection from the pool, with its prepared statements; give it back with
    /// <see cref="Return"/>. Reads on it never wait for the writer (WAL) and each statement sees one
    /// committed state.
    /// </summary>
    internal ReadConnection RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var i = 0; i < _idleReaders.Length; i++)
        {
            if (Volatile.Read(ref _idleReaders[i]) is { } idle && Interlocked.CompareExchange(ref _idleReaders[i], null, idle) == idle)
            {
                return idle;
            }
        }
        return OpenReader();
    }

    /// <summary>Gives a rented connection back; one whose read failed is closed, so no broken state is reused.</summary>
    internal void Return(ReadConnection reader, bool healthy)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (healthy && !_disposed)
        {
            for (var i = 0; i < _idleReaders.Length; i++)
            {
                if (Interlocked.CompareExchange(ref _idleReaders[i], reader, null) is null)
                {
                    // Disposed meanwhile: close what is idle now, this one included.
                    if (_disposed)
                    {
                        CloseIdleReaders();
                    }
                    return;
                }
            }
        }
        reader.Dispose();
    }

    /// <summary>Closes the idle read connections; connections rented now are closed when given back.</summary>
    public void Dispose()
    {
        _disposed = true;
        CloseIdleReaders();
        _connections.Dispose();
    }

    private void CloseIdleReaders()
    {
        for (var i = 0; i < _idleReaders.Length; i++)
        {
            Interlocked.Exchange(ref _idleReaders[i], null)?.Dispose();
        }
    }

    private ReadConnection OpenReader() => new(_connections.OpenReader());

    /// <summary>Opens the writer's own connection with the durability settings applied.</summary>
    internal SqliteConnection OpenWriterConnection()
    {
        ThrowUnlessSqlite();
        var cacheKiB = (_options.WriterCacheMiB * 1024L).ToString(CultureInfo.InvariantCulture);
        // temp_store=MEMORY keeps the pages a savepoint copies aside in memory: on a file, a conversion under
        // a savepoint cost a dozen extra write calls and ran measurably slower (docs/bench/HISTORY.md). The writer's
        // page cache outlives its transactions (no other connection writes under it); its size is a trade-off
        // explained on LedgerOptions.WriterCacheMiB.
        var pragmas = $"PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-{cacheKiB};";
        if (_options.CheckpointInterval > TimeSpan.Zero)
        {
            // The background checkpointer copies the log; the writer's own checkpoint is only the backstop.
            var walMaxPages = _options.WalMaxPages.ToString(CultureInfo.InvariantCulture);
            var walMaxBytes = (_options.WalMaxPages * 4096L).ToString(CultureInfo.InvariantCulture);
            pragmas += $" PRAGMA wal_autocheckpoint={walMaxPages}; PRAGMA journal_size_limit={walMaxBytes};";
        }
        return OpenDurableConnection(pragmas);
    }

    /// <summary>
    /// Opens the background checkpointer's connection: a checkpoint fsyncs as the connection's synchronous
    /// setting says, so it gets the writer's durability settings.
    /// </summary>
    internal SqliteConnection OpenCheckpointConnection()
    {
        ThrowUnlessSqlite();
        return OpenDurableConnection("");
    }

    private void ThrowUnlessSqlite()
    {
        if (Engine != LedgerEngine.Sqlite)
        {
            throw new InvalidOperationException($"The SQLite writer's connections were asked of a ledger on {Engine}.");
        }
    }

    private SqliteConnection OpenDurableConnection(string pragmas)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            var synchronous = _options.DurableCommits ? "FULL" : "NORMAL";
            var busyMs = ((long)_options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout={busyMs}; {pragmas}";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}

/// <summary>
/// One pooled read connection and the statements prepared on it, reused call after call so a hot read
/// neither opens a connection nor parses its SQL again. Used by one caller at a time.
/// </summary>
internal sealed class ReadConnection(DbConnection connection) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>
    /// The prepared command of <paramref name="sql"/> with its parameters set to these values. The SQL names its
    /// parameters <c>@name</c>, which every engine binds; a given SQL text is always called with the same parameters in
    /// the same order and of the same types.
    /// </summary>
    public DbCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                command.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
            }
            return command;
        }
        // Prepared once with its first values: PostgreSQL infers the parameters' types from them.
        command = LedgerDatabase.Command(connection, null, sql, parameters);
        try
        {
            command.Prepare();
        }
        catch
        {
            command.Dispose();
            throw;
        }
        _commands.Add(sql, command);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        connection.Dispose();
    }
}

/// <summary>
/// One read snapshot of the ledger (<see cref="LedgerDatabase.OpenSnapshotAsync"/>): a connection inside a read
/// transaction. Its commands all see the state committed when its first one ran.
/// </summary>
internal sealed class ReadSnapshot(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    /// <summary>The read transaction, for code that takes one (<see cref="Reading.LedgerInvariants"/>).</summary>
    public DbTransaction Transaction => transaction;

    /// <summary>A command inside the snapshot with these parameters (named <c>@name</c> in the SQL); dispose it after use.</summary>
    public DbCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        LedgerDatabase.Command(connection, transaction, sql, parameters);

    /// <summary>The first column of the first row as an integer (0 when there is no row or it is NULL).</summary>
    public async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
    }
}
