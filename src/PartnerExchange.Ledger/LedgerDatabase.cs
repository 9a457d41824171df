using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Storage.Sqlite;

namespace PartnerExchange.Ledger;

/// <summary>
/// The SQLite file: its connection settings, the schema migrations applied at start, connections for
/// the single writer, and a pool of open read connections for the hot reads. WAL lets readers run beside
/// the writer without waiting for it.
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
    private readonly DbContextOptions<SqliteLedgerContext> _contextOptions;
    // Idle readers in slots taken and filled by compare-and-swap: no lock and no allocation per read, where a
    // ConcurrentBag took a lock whenever a thread stole a connection another thread had given back.
    private readonly ReadConnection?[] _idleReaders = new ReadConnection?[MaxIdleReaders];
    private volatile bool _disposed;

    /// <summary>Creates the database handle from validated options.</summary>
    public LedgerDatabase(IOptions<LedgerOptions> options, ILogger<LedgerDatabase>? logger = null)
    {
        _options = options.Value;
        _logger = logger ?? NullLogger<LedgerDatabase>.Instance;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(_options.DatabasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database for this long before giving up.
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        }.ToString();
        // Built once: building options per context is most of what a small EF read costs.
        _contextOptions = new DbContextOptionsBuilder<SqliteLedgerContext>()
            .UseSqlite(ConnectionString)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options;
    }

    /// <summary>The connection string of the database file.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Creates the folder, applies pending migrations and switches the file to WAL. Processes that share the
    /// file migrate one at a time; a process killed while migrating never stops the next start.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(_options.DatabasePath);
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // WAL is a property of the file: set once, every later connection uses it.
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }
        await LedgerSchema.MigrateAsync(LedgerEngine.Sqlite, ConnectionString, _logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A random secret stored in the database under <paramref name="name"/>, created on first use, so every
    /// server sharing the database shares it (quote signing, say).
    /// </summary>
    public async Task<byte[]> GetOrCreateSecretAsync(string name, int lengthBytes, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO settings (name, value) VALUES ($name, $value); SELECT value FROM settings WHERE name = $name;";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$value", System.Security.Cryptography.RandomNumberGenerator.GetBytes(lengthBytes));
        return (byte[])(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Setting {name} could not be stored."));
    }

    internal ExchangeDbContext CreateContext() => new SqliteLedgerContext(_contextOptions);

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
    }

    private void CloseIdleReaders()
    {
        for (var i = 0; i < _idleReaders.Length; i++)
        {
            Interlocked.Exchange(ref _idleReaders[i], null)?.Dispose();
        }
    }

    private ReadConnection OpenReader()
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // A read connection that tried to write would be a bug; SQLite refuses it outright.
            command.CommandText = "PRAGMA query_only=ON;";
            command.ExecuteNonQuery();
            return new ReadConnection(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens the writer's own connection with the durability settings applied.</summary>
    internal SqliteConnection OpenWriterConnection()
    {
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
    internal SqliteConnection OpenCheckpointConnection() => OpenDurableConnection("");

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

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// One pooled read connection and the statements prepared on it, reused call after call so a hot read
/// neither opens a connection nor parses its SQL again. Used by one caller at a time.
/// </summary>
internal sealed class ReadConnection(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The prepared command of <paramref name="sql"/> with its parameters set to these values.</summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            command.Prepare();
            _commands.Add(sql, command);
        }
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters[i].Value = parameters[i].Value ?? DBNull.Value;
        }
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
