using System.CommandLine;
using System.Text.Json;
using PartnerExchange.Cli.Input;
using PartnerExchange.Cli.Output;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Storage.Copy;

namespace PartnerExchange.Cli.Commands;

/// <summary>
/// <c>pxctl ledger copy</c> and <c>pxctl ledger backup</c>: they work on the ledger's SQLite file and PostgreSQL
/// database directly, on the machine that holds them, and need no exchange or key. Exit 0 when done and verified, 1
/// when the verification found differences or findings, 2 on errors (nothing copied, no backup kept).
/// </summary>
internal static class LedgerFileCommands
{
    /// <summary>The environment variable the exchange reads its PostgreSQL connection string from.</summary>
    public const string PostgresVariable = "PX_POSTGRES";

    // Hex digits of a digest shown in a table: enough to tell two apart; JSON gives them whole.
    private const int DigestShown = 16;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Copy(CommandRunner runner)
    {
        var from = new Option<string>("--from") { HelpName = "FILE", Description = "The stopped exchange's SQLite ledger file.", Required = true };
        var to = new Option<string?>("--to")
        {
            HelpName = "CONNECTION_STRING",
            Description = $"Npgsql connection string of the empty PostgreSQL database to copy into (env {PostgresVariable}). "
                + "Prefer the variable, or Passfile=, to keep the password out of shell history; it is never printed.",
        };
        var command = new Command("copy",
            "Copies a stopped SQLite ledger into an empty PostgreSQL database: migrates it, copies every table with ids and sequence numbers "
            + "unchanged in one transaction, and commits only when both sides verify clean and every table's rows and digest match. "
            + "Exit 1 when they did not (nothing was copied).") { Options = { from, to } };
        runner.Locally(command, async (parseResult, output, cancellationToken) =>
        {
            var target = parseResult.GetValue(to) ?? runner.Environment(PostgresVariable)
                ?? throw new UsageException($"Give the PostgreSQL database to copy into: --to CONNECTION_STRING, or {PostgresVariable}.");
            var report = await LedgerCopy.CopyAsync(parseResult.GetRequiredValue(from), ValidConnectionString(target), null, cancellationToken);
            var exitCode = report.Committed ? Cli.ExitOk : Cli.ExitDifferences;
            if (output.IsJson)
            {
                output.Line(JsonSerializer.Serialize(report, Json));
                return exitCode;
            }
            output.Line(report.Committed
                ? $"Copied the ledger {report.Source} into PostgreSQL database {report.Target} and verified the copy."
                : $"The copy of {report.Source} into {report.Target} did not verify and was rolled back: the database holds no ledger rows.");
            output.Write(Terminal.NewDetails(
            [
                ("Migrations applied", report.MigrationsApplied.Count == 0 ? "none (the database was at this release's schema)" : string.Join(", ", report.MigrationsApplied)),
                ("Source", Verified(report.SourceVerification)),
                ("Target", Verified(report.TargetVerification)),
            ]));
            output.Write(TablesTable(report.Tables));
            WriteFindings(output, report.TargetVerification);
            return exitCode;
        });
        return command;
    }

    public static Command Backup(CommandRunner runner)
    {
        var from = new Option<string>("--from") { HelpName = "FILE", Description = "The SQLite ledger file; the exchange may keep running.", Required = true };
        var to = new Option<string>("--to") { HelpName = "FILE", Description = "The backup file to write; must not exist.", Required = true };
        var command = new Command("backup",
            "Backs up a SQLite ledger while the exchange keeps writing (SQLite's online backup: the ledger as of one commit), "
            + "then checks the backup (SQLite's integrity check and every ledger invariant). Exit 1 when the backup has findings.")
        { Options = { from, to } };
        runner.Locally(command, async (parseResult, output, cancellationToken) =>
        {
            var report = await LedgerBackup.BackupAsync(parseResult.GetRequiredValue(from), parseResult.GetRequiredValue(to), cancellationToken);
            var exitCode = report.Verification.Ok ? Cli.ExitOk : Cli.ExitDifferences;
            if (output.IsJson)
            {
                output.Line(JsonSerializer.Serialize(report, Json));
                return exitCode;
            }
            output.Line(report.Verification.Ok
                ? $"Backed up {report.Source} to {report.Backup} and verified the backup."
                : $"Backed up {report.Source} to {report.Backup}, but the backup's ledger has findings (so has the ledger it copies).");
            output.Write(Terminal.NewDetails(
            [
                ("Size", $"{Display.Count(report.Bytes)} bytes"),
                ("Last sequence", Display.Count(report.LastSequence)),
                ("Verification", Verified(report.Verification)),
            ]));
            WriteFindings(output, report.Verification);
            return exitCode;
        });
        return command;
    }

    /// <summary>The connection string if Npgsql can read it; otherwise a usage error that does not repeat it (it may hold a password).</summary>
    private static string ValidConnectionString(string connectionString)
    {
        try
        {
            _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return connectionString;
        }
        catch (ArgumentException)
        {
            throw new UsageException("The PostgreSQL connection string is not one Npgsql reads (Host=…;Port=…;Database=…;Username=…).");
        }
    }

    private static string Verified(LedgerVerification verification) =>
        (verification.Ok ? "every check passed" : $"{verification.Findings.Count} finding(s)")
        + $" ({Display.Count(verification.TransactionCount)} transactions, {Display.Count(verification.AccountCount)} accounts, "
        + $"{Display.Count(verification.StatementCount)} statements)";

    private static Spectre.Console.Table TablesTable(IReadOnlyList<CopiedTable> tables)
    {
        var table = Terminal.NewTable("TABLE", "ROWS", "DIGEST", "MATCH");
        foreach (var copied in tables)
        {
            Terminal.AddRow(table, copied.Name, Display.Count(copied.SourceRows), copied.SourceDigest[..DigestShown],
                copied.Matches ? "yes" : $"NO: target {Display.Count(copied.TargetRows)} rows, {copied.TargetDigest[..DigestShown]}");
        }
        return table;
    }

    private static void WriteFindings(Terminal output, LedgerVerification verification)
    {
        if (verification.Findings.Count == 0)
        {
            return;
        }
        var table = Terminal.NewTable("CHECK", "FINDING");
        table.Columns[1].NoWrap = false;
        table.Width = Display.ReportWidth;
        foreach (var finding in verification.Findings)
        {
            Terminal.AddRow(table, finding.Check, finding.Detail);
        }
        output.Write(table);
    }
}
