using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using PartnerExchange.Cli.Csv;
using PartnerExchange.Cli.Input;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;
using Spectre.Console;

namespace PartnerExchange.Cli.Commands;

/// <summary>
/// <c>pxctl reconcile STATEMENT_ID --file partner.csv</c>: streams a partner's own record of a statement to
/// ReconcileStatement and prints the report. Exit 0 when clean, 1 when there are differences, 2 on errors.
/// </summary>
internal static class ReconcileCommand
{
    private static readonly string[] Columns = ["transaction_id", "destination_points", "amount_minor"];

    public static Command Build(CommandRunner runner)
    {
        var statementId = new Argument<string>("STATEMENT_ID") { Description = "The statement the partner's record is about." };
        var file = new Option<FileInfo>("--file")
        {
            Description = "The partner's record: CSV with the header transaction_id,destination_points,amount_minor.",
            Required = true,
        };
        var command = new Command(
            "reconcile",
            "Matches a partner's record of a statement against the ledger and reports every difference; changes nothing. "
            + "Exit 0 when clean, 1 when there are differences, 2 on errors.")
        {
            statementId, file,
        };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var source = context.Required(file);
            if (!source.Exists)
            {
                throw new UsageException($"--file {source.FullName} does not exist.");
            }
            var response = await StreamAsync(context, context.Required(statementId), source, cancellationToken);
            // The report's amounts are in the statement's currency, which only the statement names.
            var currencyCode = response.Differences.Count == 0 || context.Output.IsJson
                ? ""
                : (await context.Exchange.Settlement.GetStatementAsync(
                    new GetStatementRequest { StatementId = response.StatementId }, context.Exchange.Call(cancellationToken))).Statement.CurrencyCode;
            Report(context.Output, response, currencyCode);
            return response.Clean ? Cli.ExitOk : Cli.ExitDifferences;
        });
        return command;
    }

    private static async Task<ReconcileStatementResponse> StreamAsync(
        CommandContext context, string statementId, FileInfo source, CancellationToken cancellationToken)
    {
        if (!context.Output.CanShowProgress)
        {
            return await SendAsync(context, statementId, source, _ => { }, cancellationToken).ConfigureAwait(false);
        }
        return await context.Output.ErrorConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                // Progress by bytes read: the row count is not known before the file has been read.
                var task = progress.AddTask($"Reconciling {Markup.Escape(source.Name)}", maxValue: Math.Max(1, source.Length));
                var response = await SendAsync(context, statementId, source, bytes => task.Value = bytes, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return response;
            }).ConfigureAwait(false);
    }

    private static async Task<ReconcileStatementResponse> SendAsync(
        CommandContext context, string statementId, FileInfo source, Action<long> bytesRead, CancellationToken cancellationToken)
    {
        var stream = new FileStream(source.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            var csv = new CsvReader(reader);
            var indexes = await ReadHeaderAsync(csv, source, cancellationToken).ConfigureAwait(false);
            using var call = context.Exchange.Settlement.ReconcileStatement(context.Exchange.Call(cancellationToken));
            try
            {
                await call.RequestStream.WriteAsync(new ReconcileStatementRequest { StatementId = statementId }, cancellationToken).ConfigureAwait(false);
                while (await ReadRowAsync(csv, indexes, source, cancellationToken).ConfigureAwait(false) is { } row)
                {
                    await call.RequestStream.WriteAsync(new ReconcileStatementRequest { Row = row }, cancellationToken).ConfigureAwait(false);
                    bytesRead(stream.Position);
                }
                await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // The server ended the call early (an unknown statement, a malformed row): its status says why.
            }
            catch (InvalidOperationException)
            {
                // Writing after the call has completed; the response carries the server's status.
            }
            return await call.ResponseAsync.ConfigureAwait(false);
        }
    }

    private static async Task<int[]> ReadHeaderAsync(CsvReader csv, FileInfo source, CancellationToken cancellationToken)
    {
        var header = await ReadRecordAsync(csv, source, cancellationToken).ConfigureAwait(false)
            ?? throw new UsageException($"{source.Name} is empty; it needs the header {string.Join(',', Columns)}.");
        var names = header.Fields.Select(field => field.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToList();
        var indexes = Columns.Select(column => names.IndexOf(column)).ToArray();
        if (indexes.Any(index => index < 0))
        {
            throw new UsageException(
                $"{source.Name} line {header.Line}: the header must name the columns {string.Join(',', Columns)}; it has {string.Join(',', header.Fields)}.");
        }
        return indexes;
    }

    private static async Task<PartnerRecordRow?> ReadRowAsync(CsvReader csv, int[] indexes, FileInfo source, CancellationToken cancellationToken)
    {
        while (await ReadRecordAsync(csv, source, cancellationToken).ConfigureAwait(false) is { } record)
        {
            if (record.IsBlank)
            {
                continue;
            }
            if (record.Fields.Count <= indexes.Max())
            {
                throw new UsageException($"{source.Name} line {record.Line}: {record.Fields.Count} field(s); the header has more.");
            }
            return new PartnerRecordRow
            {
                TransactionId = record.Fields[indexes[0]].Trim(),
                DestinationPoints = ParseInteger(record, indexes[1], Columns[1], source),
                AmountMinor = ParseInteger(record, indexes[2], Columns[2], source),
            };
        }
        return null;
    }

    private static async Task<CsvRecord?> ReadRecordAsync(CsvReader csv, FileInfo source, CancellationToken cancellationToken)
    {
        try
        {
            return await csv.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{source.Name} {ex.Message}", ex);
        }
    }

    private static long ParseInteger(CsvRecord record, int index, string column, FileInfo source)
    {
        var text = record.Fields[index].Trim();
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"{source.Name} line {record.Line}: {column} '{text}' is not a whole number.");
    }

    private static void Report(Terminal output, ReconcileStatementResponse response, string currencyCode)
    {
        if (output.IsJson)
        {
            output.WriteJson(response);
            return;
        }
        var verdict = response.Clean ? "clean" : $"{response.Differences.Count} difference(s)";
        output.Line($"Statement {response.StatementId}: {Display.Count(response.MatchedCount)} matched, {verdict}.");
        if (response.Differences.Count == 0)
        {
            return;
        }
        var table = Terminal.NewTable("DIFFERENCE", "TRANSACTION", "EXCHANGE POINTS", "PARTNER POINTS", "EXCHANGE AMOUNT", "PARTNER AMOUNT");
        foreach (var difference in response.Differences)
        {
            Terminal.AddRow(
                table,
                Display.Name(difference.Kind),
                difference.TransactionId,
                Display.Count(difference.ExchangePoints),
                Display.Count(difference.PartnerPoints),
                Display.Minor(difference.ExchangeAmountMinor, currencyCode),
                Display.Minor(difference.PartnerAmountMinor, currencyCode));
        }
        output.Write(table);
    }
}
