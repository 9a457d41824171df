using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;

namespace PartnerExchange.Ledger.Storage.Sqlite;

/// <summary>
/// Migrations on a SQLite ledger, under <see cref="SqliteMigrationLock"/>. The schema history starts at one baseline
/// that creates exactly the schema release 1.1.0's thirteen migrations left; a ledger of 1.1.0 takes the baseline as
/// applied instead of running it, and a ledger older than 1.1.0 is refused: 1.1.0 upgrades it first.
/// </summary>
internal static partial class SqliteSchema
{
    /// <summary>The last migration of release 1.1.0, whose schema the baseline reproduces.</summary>
    internal const string Release110LastMigration = "20261207220000_OpenObligationTotals";

    public static async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        using var migrationLock = await SqliteMigrationLock.TakeAsync(path, connectionString, logger, cancellationToken).ConfigureAwait(false);
        await using var context = new SqliteLedgerContext(new DbContextOptionsBuilder<SqliteLedgerContext>().UseSqlite(connectionString).Options);
        var baseline = context.GetService<IMigrationsAssembly>().Migrations.Keys.First();
        await AdoptRelease110Async(connectionString, baseline, path, logger, cancellationToken).ConfigureAwait(false);
        // Under the lock nobody else migrates: what is pending now is what this call applies.
        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return pending;
    }

    /// <summary>
    /// Replaces 1.1.0's history with the baseline, which stands for all of it, in one transaction; refuses a history
    /// that stops before 1.1.0's last migration. A new file, or one already on the baseline, is left alone.
    /// </summary>
    private static async Task AdoptRelease110Async(
        string connectionString, string baseline, string path, ILogger logger, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var history = await AppliedMigrationsAsync(connection, cancellationToken).ConfigureAwait(false);
        if (history.Count == 0 || history.Contains(baseline))
        {
            return;
        }
        if (!history.Contains(Release110LastMigration))
        {
            var last = history.Max(StringComparer.Ordinal) ?? "";
            LogTooOld(logger, path, last);
            throw new LedgerSchemaException(
                $"The ledger {path} was last migrated by a release older than 1.1.0 (its last migration is {last}). " +
                "This release upgrades ledgers of release 1.1.0 only: start PartnerExchange 1.1.0 on this ledger once, " +
                "which upgrades it, then start this release on it.");
        }
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText =
            "DELETE FROM \"__EFMigrationsHistory\"; " +
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ($baseline, $version);";
        command.Parameters.AddWithValue("$baseline", baseline);
        command.Parameters.AddWithValue("$version", ProductInfo.GetVersion());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogAdopted(logger, path, baseline);
    }

    /// <summary>The ids in EF Core's history table; none when the table does not exist yet.</summary>
    private static async Task<HashSet<string>> AppliedMigrationsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory';";
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return ids;
        }
        command.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\";";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information,
        Message = "The ledger {Path} was made by release 1.1.0: its schema history is now the baseline {Baseline}, which stands for all of it.")]
    private static partial void LogAdopted(ILogger logger, string path, string baseline);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Critical,
        Message = "The ledger {Path} is older than release 1.1.0 (last migration {LastMigration}); start release 1.1.0 on it once to upgrade it, then this release.")]
    private static partial void LogTooOld(ILogger logger, string path, string lastMigration);
}
