using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PartnerExchange.Ledger.Storage.Postgres;

/// <summary>
/// Migrations on a PostgreSQL ledger. Servers that start together take turns under a session-level advisory lock,
/// and each migrates on the very session that holds it: if the process dies, or its session is cut, PostgreSQL ends
/// the session, rolls back what it had not committed and releases the lock, and the next server migrates.
/// </summary>
internal static partial class PostgresSchema
{
    /// <summary>The advisory lock key of ledger migrations: "PXMIGRAT" in ASCII, to be recognisable in <c>pg_locks</c>.</summary>
    internal const long MigrationLockKey = 0x50584D4947524154;

    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await TakeLockAsync(connection, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            var options = new DbContextOptionsBuilder<PostgresLedgerContext>().UseNpgsql(connection).Options;
            await using var context = new PostgresLedgerContext(options);
            // Under the lock nobody else migrates: what is pending now is what this call applies.
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
            await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return pending;
        }
        finally
        {
            // Closing the session would release it too; unlocking first hands it on without waiting for the pool.
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1)", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task TakeLockAsync(NpgsqlConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        if (await ExecuteAsync(connection, "SELECT pg_try_advisory_lock($1)", cancellationToken).ConfigureAwait(false) is true)
        {
            return;
        }
        LogWaiting(logger, connection.Database);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock($1)", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(MigrationLockKey);
        // Waiting for another server's migration has no time limit of its own: cancellation ends it.
        command.CommandTimeout = 0;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning,
        Message = "Waiting for another server that is migrating the PostgreSQL database {Database} to finish.")]
    private static partial void LogWaiting(ILogger logger, string database);
}
