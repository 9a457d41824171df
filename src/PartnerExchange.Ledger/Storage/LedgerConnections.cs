using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using PartnerExchange.Ledger.Storage.Postgres;
using PartnerExchange.Ledger.Storage.Sqlite;

namespace PartnerExchange.Ledger.Storage;

/// <summary>
/// How the ledger's readers reach their database, the one place where that differs per engine, both engines side by
/// side: which connection string, how a read connection is made read-only, how a snapshot of several reads is opened,
/// which EF context, and what migrating involves. The SQL the readers run is the same on both.
/// </summary>
internal abstract class LedgerConnections : IDisposable
{
    /// <summary>The connections of the engine <paramref name="options"/> choose.</summary>
    public static LedgerConnections For(LedgerOptions options) => options.Engine switch
    {
        LedgerEngine.Sqlite => new SqliteConnections(options),
        LedgerEngine.Postgres => new PostgresConnections(options.Postgres!),
        var other => throw new ArgumentOutOfRangeException(nameof(options), other, "Not a ledger engine."),
    };

    public abstract LedgerEngine Engine { get; }

    /// <summary>The full connection string (on PostgreSQL it may hold a password: never log it).</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Where the ledger lives, fit for a log: the file, or user, host, port and database without the password.</summary>
    public abstract string Location { get; }

    public abstract Task MigrateAsync(ILogger logger, CancellationToken cancellationToken);

    /// <summary>An open connection that refuses to write, for the pool of hot readers.</summary>
    public abstract DbConnection OpenReader();

    /// <summary>An open connection inside one read transaction that sees a single committed state until disposed.</summary>
    public abstract Task<(DbConnection Connection, DbTransaction Snapshot)> OpenSnapshotAsync(CancellationToken cancellationToken);

    /// <summary>An open connection that may write, for the rare writes outside the writer (a shared secret at start).</summary>
    public abstract Task<DbConnection> OpenWritableAsync(CancellationToken cancellationToken);

    /// <summary>An EF context for the list reads, tracking nothing.</summary>
    public abstract ExchangeDbContext CreateContext();

    /// <summary>PostgreSQL: the data source the single writer's session comes from, owned by these connections.</summary>
    public virtual NpgsqlDataSource WriterDataSource => throw new NotSupportedException("Only a PostgreSQL ledger has a writer data source.");

    public virtual void Dispose()
    {
    }

    /// <summary>One SQLite file in WAL mode: readers never wait for the writer.</summary>
    private sealed class SqliteConnections : LedgerConnections
    {
        private readonly string _path;
        private readonly string _readerConnectionString;
        private readonly DbContextOptions<SqliteLedgerContext> _contextOptions;

        public SqliteConnections(LedgerOptions options)
        {
            _path = System.IO.Path.GetFullPath(options.DatabasePath);
            ConnectionString = new SqliteConnectionStringBuilder
            {
                DataSource = _path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = true,
                // Microsoft.Data.Sqlite retries a busy database for this long before giving up.
                DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
            }.ToString();
            // Readers are kept open by the ledger's own pool; one it closes must not go back to Microsoft.Data.Sqlite's
            // pool, where a write opening the same file could get it back still query_only.
            _readerConnectionString = new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString();
            // Built once: building options per context is most of what a small EF read costs.
            _contextOptions = new DbContextOptionsBuilder<SqliteLedgerContext>()
                .UseSqlite(ConnectionString)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
        }

        public override LedgerEngine Engine => LedgerEngine.Sqlite;

        public override string ConnectionString { get; }

        public override string Location => _path;

        /// <summary>Creates the folder, switches the file to WAL, then migrates.</summary>
        public override async Task MigrateAsync(ILogger logger, CancellationToken cancellationToken)
        {
            if (System.IO.Path.GetDirectoryName(_path) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }
            await using (var connection = new SqliteConnection(ConnectionString))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                // WAL is a property of the file: set once, every later connection uses it.
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode=WAL;";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await LedgerSchema.MigrateAsync(LedgerEngine.Sqlite, ConnectionString, logger, cancellationToken).ConfigureAwait(false);
        }

        public override DbConnection OpenReader()
        {
            var connection = new SqliteConnection(_readerConnectionString);
            try
            {
                connection.Open();
                using var command = connection.CreateCommand();
                // A read connection that tried to write would be a bug; SQLite refuses it outright.
                command.CommandText = "PRAGMA query_only=ON;";
                command.ExecuteNonQuery();
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public override async Task<(DbConnection, DbTransaction)> OpenSnapshotAsync(CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(ConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                // A deferred read transaction: its snapshot is taken at the first read and held to the end, and it never
                // takes the write lock (the default BEGIN IMMEDIATE would).
                return (connection, connection.BeginTransaction(deferred: true));
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public override async Task<DbConnection> OpenWritableAsync(CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }

        public override ExchangeDbContext CreateContext() => new SqliteLedgerContext(_contextOptions);
    }

    /// <summary>
    /// A PostgreSQL database: readers come from a data source of their own whose sessions default to read-only
    /// transactions, and a snapshot is a REPEATABLE READ transaction (PostgreSQL's snapshot isolation); MVCC keeps
    /// readers from waiting for writers.
    /// </summary>
    private sealed class PostgresConnections : LedgerConnections
    {
        private readonly NpgsqlDataSource _readers;
        private readonly NpgsqlDataSource _writable;
        private readonly DbContextOptions<PostgresLedgerContext> _contextOptions;

        public PostgresConnections(string connectionString)
        {
            ConnectionString = connectionString;
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            Location = $"{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
            _writable = NpgsqlDataSource.Create(builder);
            // A separate pool, so a session set read-only never serves a write; the server itself refuses a reader's write.
            builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();
            builder.ApplicationName ??= "PartnerExchange reader";
            _readers = NpgsqlDataSource.Create(builder);
            _contextOptions = new DbContextOptionsBuilder<PostgresLedgerContext>()
                .UseNpgsql(_readers)
                .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                .Options;
        }

        public override LedgerEngine Engine => LedgerEngine.Postgres;

        public override string ConnectionString { get; }

        public override string Location { get; }

        /// <summary>Migrates the existing database; PostgreSQL has no file to create and is always write-ahead logged.</summary>
        public override Task MigrateAsync(ILogger logger, CancellationToken cancellationToken) =>
            LedgerSchema.MigrateAsync(LedgerEngine.Postgres, ConnectionString, logger, cancellationToken);

        public override DbConnection OpenReader() => _readers.OpenConnection();

        public override async Task<(DbConnection, DbTransaction)> OpenSnapshotAsync(CancellationToken cancellationToken)
        {
            var connection = await _readers.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Its snapshot is taken at the first statement and held to the end, as SQLite's deferred read transaction.
                return (connection, await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false));
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public override async Task<DbConnection> OpenWritableAsync(CancellationToken cancellationToken) =>
            await _writable.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        public override ExchangeDbContext CreateContext() => new PostgresLedgerContext(_contextOptions);

        public override NpgsqlDataSource WriterDataSource => _writable;

        public override void Dispose()
        {
            _readers.Dispose();
            _writable.Dispose();
            base.Dispose();
        }
    }
}
