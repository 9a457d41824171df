using System.CommandLine;
using System.Globalization;
using System.Text;
using Grpc.Core;
using PartnerExchange.Cli.Csv;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;
using Spectre.Console;

namespace PartnerExchange.Cli.Commands;

/// <summary>
/// <c>pxctl settlement export</c>: streams a statement's lines through ExportStatementLines into CSV (a file or
/// stdout), or into one JSON document with <c>--output json</c> and no file. Lines are written as they arrive, so a
/// statement of any size exports in constant memory.
/// </summary>
internal static class StatementExport
{
    /// <summary>The CSV header, in the order of the columns.</summary>
    public static readonly string[] Header =
    [
        "sequence", "transaction_id", "kind", "create_time", "source_member", "destination_member",
        "destination_points", "amount_micros", "amount_minor", "reversed_transaction_id",
    ];

    public static Command Build(CommandRunner runner)
    {
        var statementId = new Argument<string>("STATEMENT_ID") { Description = "The statement to export." };
        var file = new Option<FileInfo?>("--file") { Description = "Write the CSV to this file (default: stdout)." };
        var command = new Command(
            "export",
            "Exports every line of a statement as RFC 4180 CSV, streamed; progress on stderr. "
            + "With --output json and no --file, one JSON document with the statement and its lines.")
        {
            statementId, file,
        };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var id = context.Required(statementId);
            var statement = (await context.Exchange.Settlement.GetStatementAsync(
                new GetStatementRequest { StatementId = id }, context.Exchange.Call(cancellationToken))).Statement;
            var target = context.Value(file);
            if (target is null)
            {
                var count = context.Output.IsJson
                    ? await WriteJsonAsync(context, statement, context.Output.Stdout, cancellationToken)
                    : await WriteCsvAsync(context, statement, context.Output.Stdout, cancellationToken);
                await context.Output.Stderr.WriteLineAsync($"exported {count} line(s) of statement {id}");
                return Cli.ExitOk;
            }

            var lines = await WriteFileAsync(context, statement, target, cancellationToken);
            if (context.Output.IsJson)
            {
                WriteSummaryJson(context.Output.Stdout, id, target.FullName, lines);
            }
            else
            {
                context.Output.Line($"Exported {lines} line(s) of statement {id} to {target.FullName}.");
            }
            return Cli.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// Writes to a temporary file beside the target and moves it into place only when the export is complete, so
    /// a failed export never leaves a partial file that looks whole.
    /// </summary>
    private static async Task<long> WriteFileAsync(CommandContext context, Statement statement, FileInfo target, CancellationToken cancellationToken)
    {
        var partial = target.FullName + ".partial";
        try
        {
            long lines;
            var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                await using (writer.ConfigureAwait(false))
                {
                    lines = await WriteCsvAsync(context, statement, writer, cancellationToken).ConfigureAwait(false);
                }
            }
            File.Move(partial, target.FullName, overwrite: true);
            return lines;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static async Task<long> WriteCsvAsync(CommandContext context, Statement statement, TextWriter writer, CancellationToken cancellationToken)
    {
        var csv = new CsvWriter(writer);
        await csv.WriteRowAsync(Header, cancellationToken).ConfigureAwait(false);
        var count = await StreamLinesAsync(
            context, statement, line => csv.WriteRowAsync(Fields(line), cancellationToken), cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    private static async Task<long> WriteJsonAsync(CommandContext context, Statement statement, TextWriter writer, CancellationToken cancellationToken)
    {
        // One document, written as the lines arrive: {"statement": {...}, "lines": [{...}, ...]}.
        await writer.WriteAsync($"{{\n\"statement\": {Terminal.FormatJson(statement)},\n\"lines\": [").ConfigureAwait(false);
        var first = true;
        var count = await StreamLinesAsync(
            context,
            statement,
            async line =>
            {
                await writer.WriteAsync(first ? "\n" : ",\n").ConfigureAwait(false);
                await writer.WriteAsync(Terminal.FormatJson(line)).ConfigureAwait(false);
                first = false;
            },
            cancellationToken).ConfigureAwait(false);
        await writer.WriteLineAsync("\n]\n}").ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    private static async Task<long> StreamLinesAsync(
        CommandContext context, Statement statement, Func<StatementLine, Task> write, CancellationToken cancellationToken)
    {
        if (!context.Output.CanShowProgress)
        {
            return await ReadAllAsync(context, statement.StatementId, write, _ => { }, cancellationToken).ConfigureAwait(false);
        }
        return await context.Output.ErrorConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"Exporting {Markup.Escape(statement.StatementId)}", maxValue: Math.Max(1, statement.LineCount));
                var count = await ReadAllAsync(context, statement.StatementId, write, task.Increment, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return count;
            }).ConfigureAwait(false);
    }

    private static async Task<long> ReadAllAsync(
        CommandContext context, string statementId, Func<StatementLine, Task> write, Action<double> advance, CancellationToken cancellationToken)
    {
        using var call = context.Exchange.Settlement.ExportStatementLines(
            new ExportStatementLinesRequest { StatementId = statementId }, context.Exchange.Call(cancellationToken));
        long count = 0;
        await foreach (var batch in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var line in batch.Lines)
            {
                await write(line).ConfigureAwait(false);
            }
            count += batch.Lines.Count;
            advance(batch.Lines.Count);
        }
        return count;
    }

    private static string[] Fields(StatementLine line) =>
    [
        line.Sequence.ToString(CultureInfo.InvariantCulture),
        line.TransactionId,
        Display.Name(line.Kind),
        line.CreateTime is null ? "" : Display.Time(line.CreateTime),
        line.SourceMemberNumber,
        line.DestinationMemberNumber,
        line.DestinationPoints.ToString(CultureInfo.InvariantCulture),
        line.AmountMicros.ToString(CultureInfo.InvariantCulture),
        line.AmountMinor.ToString(CultureInfo.InvariantCulture),
        line.ReversedTransactionId,
    ];

    private static void WriteSummaryJson(TextWriter stdout, string statementId, string file, long lines)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("statementId", statementId);
            json.WriteString("file", file);
            // A string, like every int64 in the proto3 JSON of the other documents.
            json.WriteString("lineCount", lines.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }
        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
