using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary>
/// <c>pxctl ledger verify</c>: exit 0 when every invariant holds, 1 when there are findings. Beside it, <c>ledger copy</c>
/// and <c>ledger backup</c> (<see cref="LedgerFileCommands"/>), which work on the ledger's files and databases directly.
/// </summary>
internal static class LedgerCommands
{
    // The details' values start after "Transactions" and two spaces.
    private const int ChecksWidth = Display.ReportWidth - 14;

    public static Command Build(CommandRunner runner)
    {
        var ledger = new Command("ledger", "The ledger itself.");
        var verify = new Command("verify", "Checks every invariant of the ledger; changes nothing. Exit 1 when anything is found.");
        runner.Reads(verify, async (context, cancellationToken) =>
        {
            var response = await context.Exchange.Settlement.VerifyLedgerAsync(new VerifyLedgerRequest(), context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return response.Ok ? Cli.ExitOk : Cli.ExitDifferences;
            }
            context.Output.Line(response.Ok ? "Ledger verified: every check passed." : $"Ledger verification found {response.Findings.Count} problem(s).");
            context.Output.Write(Terminal.NewDetails(
            [
                ("Checks", Display.WrapList(response.Checks, ChecksWidth)),
                ("Transactions", Display.Count(response.TransactionCount)),
                ("Accounts", Display.Count(response.AccountCount)),
                ("Statements", Display.Count(response.StatementCount)),
            ]));
            if (response.Findings.Count > 0)
            {
                var table = Terminal.NewTable("CHECK", "FINDING");
                // A finding's detail wraps, so the report fits a 120-column terminal or log viewer.
                table.Columns[1].NoWrap = false;
                table.Width = Display.ReportWidth;
                foreach (var finding in response.Findings)
                {
                    Terminal.AddRow(table, finding.Check, finding.Detail);
                }
                context.Output.Write(table);
            }
            return response.Ok ? Cli.ExitOk : Cli.ExitDifferences;
        });
        ledger.Subcommands.Add(verify);
        ledger.Subcommands.Add(LedgerFileCommands.Copy(runner));
        ledger.Subcommands.Add(LedgerFileCommands.Backup(runner));
        return ledger;
    }
}
