using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerExchange.Ledger.Storage;

namespace PartnerExchange.Ledger;

/// <summary>
/// The SQLite file: its connection settings, the schema migrations applied at start, and connections for
/// the single writer. WAL lets readers run beside the writer without waiting for it.
/// </summary>
public sealed class LedgerDatabase
{
    private readonly LedgerOptions _options;

    /// <summary>Creates the database handle from validated options.</summary>
    public LedgerDatabase(IOptions<LedgerOptions> options)
    {
        _options = options.Value;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(_options.DatabasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database for this long before giving up.
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        }.ToString();
    }

    /// <summary>The connection string of the database file.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates the folder, applies pending migrations and switches the file to WAL.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath));
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
        await using var context = CreateContext();
        await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
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

    internal ExchangeDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<ExchangeDbContext>()
            .UseSqlite(ConnectionString)
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
            .Options);

    /// <summary>Opens the writer's own connection with the durability settings applied.</summary>
    internal SqliteConnection OpenWriterConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        var synchronous = _options.DurableCommits ? "FULL" : "NORMAL";
        var busyMs = ((long)_options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous={synchronous}; PRAGMA busy_timeout={busyMs}; PRAGMA foreign_keys=ON;";
        command.ExecuteNonQuery();
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
