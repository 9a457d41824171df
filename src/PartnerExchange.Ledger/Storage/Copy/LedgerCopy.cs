using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PartnerExchange.Ledger.Storage.Copy;

/// <summary>
/// Copies a stopped SQLite ledger into an empty PostgreSQL database (<c>pxctl ledger copy</c>): migrates the target to
/// this release's schema, then copies every table of the ledger model with binary COPY, in key order, inside one
/// PostgreSQL transaction, ids and sequence numbers unchanged, and moves PostgreSQL's id generators past the copied ids.
/// Before it commits it checks the copy: the ledger's invariants on both sides, and each table's row count and content
/// digest on both sides. Anything different, or a source written to meanwhile, rolls the whole copy back.
/// </summary>
public static partial class LedgerCopy
{
    /// <summary>
    /// Copies the SQLite ledger at <paramref name="sqlitePath"/> into the PostgreSQL database of
    /// <paramref name="postgresConnectionString"/> (an Npgsql connection string of an existing database).
    /// </summary>
    /// <returns>What was copied and how it verified; committed only when <see cref="LedgerCopyReport.Ok"/>.</returns>
    /// <exception cref="LedgerCopyException">
    /// Refused before anything changed: no such file, a source not at this release's schema or failing verification, a
    /// target holding ledger rows, or a source written to during the copy (then rolled back).
    /// </exception>
    public static async Task<LedgerCopyReport> CopyAsync(
        string sqlitePath, string postgresConnectionString, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sqlitePath);
        ArgumentException.ThrowIfNullOrEmpty(postgresConnectionString);
        logger ??= NullLogger.Instance;
        var target = PostgresTarget.Describe(postgresConnectionString);
        await using var source = await SqliteSource.OpenAsync(sqlitePath, cancellationToken).ConfigureAwait(false);
        var sourceVerification = await source.VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (!sourceVerification.Ok)
        {
            throw new LedgerCopyException(
                $"The ledger {source.Path} fails verification ({sourceVerification.Findings.Count} finding(s), the first: " +
                $"{sourceVerification.Findings[0].Check}: {sourceVerification.Findings[0].Detail}); a copy would carry the problem over. " +
                "Run pxctl ledger verify on it and resolve the findings first.");
        }
        PostgresTarget.RefuseRows(target, await PostgresTarget.TablesWithRowsAsync(postgresConnectionString, cancellationToken).ConfigureAwait(false));
        var migrations = await LedgerSchema.MigrateAsync(LedgerEngine.Postgres, postgresConnectionString, logger, cancellationToken).ConfigureAwait(false);
        LogCopying(logger, source.Path, target, LedgerTables.All.Count);

        await using var copy = await PostgresTarget.OpenAsync(postgresConnectionString, target, cancellationToken).ConfigureAwait(false);
        var issued = await source.IssuedIdsAsync(cancellationToken).ConfigureAwait(false);
        var sourceDigests = new List<(long Rows, string Digest)>();
        foreach (var table in LedgerTables.All)
        {
            sourceDigests.Add(await CopyTableAsync(source, copy, table, cancellationToken).ConfigureAwait(false));
            await copy.AdvanceIdentitiesAsync(table, issued.GetValueOrDefault(table.Name), cancellationToken).ConfigureAwait(false);
            LogTableCopied(logger, table.Name, sourceDigests[^1].Rows);
        }

        var targetVerification = await copy.VerifyAsync(cancellationToken).ConfigureAwait(false);
        var tables = new List<CopiedTable>();
        for (var i = 0; i < LedgerTables.All.Count; i++)
        {
            var (rows, digest) = await copy.DigestAsync(LedgerTables.All[i], cancellationToken).ConfigureAwait(false);
            tables.Add(new CopiedTable(LedgerTables.All[i].Name, sourceDigests[i].Rows, sourceDigests[i].Digest, rows, digest));
        }
        if (await source.WasWrittenMeanwhileAsync(cancellationToken).ConfigureAwait(false))
        {
            await copy.RollbackAsync(cancellationToken).ConfigureAwait(false);
            throw new LedgerCopyException(
                $"The ledger {source.Path} was written to while it was being copied: stop the exchange, then copy again. Nothing was copied.");
        }
        var report = new LedgerCopyReport(source.Path, target, migrations, tables, sourceVerification, targetVerification, Committed: false);
        if (!report.Ok)
        {
            await copy.RollbackAsync(cancellationToken).ConfigureAwait(false);
            LogCopyDiffered(logger, source.Path, target);
            return report;
        }
        await copy.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogCopied(logger, source.Path, target, targetVerification.TransactionCount);
        return report with { Committed = true };
    }

    /// <summary>Streams one table's rows from the snapshot into PostgreSQL's binary COPY, digesting them on the way.</summary>
    private static async Task<(long Rows, string Digest)> CopyTableAsync(
        SqliteSource source, PostgresTarget target, LedgerTable table, CancellationToken cancellationToken)
    {
        using var digest = new TableDigest();
        var importer = await target.ImportAsync(table, cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            var values = new object?[table.Columns.Count];
            await source.ForEachRowAsync(table, reader =>
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = ColumnValue.Read(reader, i, table.Columns[i]);
                }
                // The importer buffers rows and sends them in large messages: these writes block only when a buffer is full.
                importer.StartRow();
                for (var i = 0; i < values.Length; i++)
                {
                    ColumnValue.Write(importer, values[i], table.Columns[i]);
                    digest.Add(values[i]);
                }
                digest.EndRow();
            }, cancellationToken).ConfigureAwait(false);
            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        return (digest.Rows, digest.Finish());
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information,
        Message = "Copying the SQLite ledger {Path} into the PostgreSQL database {Target}: {Tables} tables.")]
    private static partial void LogCopying(ILogger logger, string path, string target, int tables);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Copied table {Table}: {Rows} rows.")]
    private static partial void LogTableCopied(ILogger logger, string table, long rows);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information,
        Message = "Copied the SQLite ledger {Path} into the PostgreSQL database {Target} and verified it: {Transactions} transactions.")]
    private static partial void LogCopied(ILogger logger, string path, string target, long transactions);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Critical,
        Message = "The copy of the SQLite ledger {Path} into the PostgreSQL database {Target} did not verify; it was rolled back.")]
    private static partial void LogCopyDiffered(ILogger logger, string path, string target);
}
