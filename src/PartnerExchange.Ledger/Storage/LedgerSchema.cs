using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PartnerExchange.Ledger.Storage.Postgres;
using PartnerExchange.Ledger.Storage.Sqlite;

namespace PartnerExchange.Ledger.Storage;

/// <summary>The database engines a ledger can live on.</summary>
public enum LedgerEngine
{
    /// <summary>One SQLite file: the embedded default.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database that several exchange servers can share.</summary>
    Postgres,
}

/// <summary>
/// Brings a ledger's schema up to this release on either engine, each with the migration set of its own
/// (<c>Storage/Sqlite/Migrations</c>, <c>Storage/Postgres/Migrations</c>). Processes that start together migrate one
/// at a time under a lock that dies with the process or session holding it, so a migrator killed at any moment never
/// stops the next one.
/// </summary>
public static class LedgerSchema
{
    /// <summary>
    /// Applies the migrations the ledger at <paramref name="connectionString"/> lacks and returns their ids (none when
    /// another process applied them first). On SQLite the connection string names the file; on PostgreSQL it is an
    /// Npgsql connection string of an existing database.
    /// </summary>
    /// <exception cref="LedgerSchemaException">The ledger is too old for this release to upgrade.</exception>
    public static Task<IReadOnlyList<string>> MigrateAsync(
        LedgerEngine engine, string connectionString, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        logger ??= NullLogger.Instance;
        return engine switch
        {
            LedgerEngine.Sqlite => SqliteSchema.MigrateAsync(connectionString, logger, cancellationToken),
            LedgerEngine.Postgres => PostgresSchema.MigrateAsync(connectionString, logger, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "Not a ledger engine."),
        };
    }
}

/// <summary>A ledger this release cannot open: the message says what to do with it.</summary>
public sealed class LedgerSchemaException : Exception
{
    public LedgerSchemaException()
    {
    }

    public LedgerSchemaException(string message)
        : base(message)
    {
    }

    public LedgerSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
