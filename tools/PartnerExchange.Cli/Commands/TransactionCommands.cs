using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl transactions show CODE TRANSACTION_ID</c>: one transaction as a program sees it, for support.</summary>
internal static class TransactionCommands
{
    public static Command Build(CommandRunner runner)
    {
        var transactions = new Command("transactions", "Transactions of the ledger, as a program sees them.");
        transactions.Subcommands.Add(Show(runner));
        return transactions;
    }

    private static Command Show(CommandRunner runner)
    {
        var code = OptionFactory.ProgramCode("The program whose view to show (a conversion's source or destination sees its own leg).");
        var id = new Argument<string>("TRANSACTION_ID") { Description = "The transaction's id, as a response, an event or a statement line gave it." };
        var command = new Command("show", "Shows one transaction exactly as the program's partner sees it.") { code, id };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var response = await context.Exchange.Points.GetTransactionAsync(
                new GetTransactionRequest { ProgramCode = context.Required(code), TransactionId = context.Required(id) },
                context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            context.Output.Write(Terminal.NewDetails(TransactionOutput.Details(response.Transaction)));
            return Cli.ExitOk;
        });
        return command;
    }
}
