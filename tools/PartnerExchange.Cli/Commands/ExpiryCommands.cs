using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl expiry run [--as-of TIME] [--partner CODE] [--dry-run]</c>: points expiry on demand.</summary>
internal static class ExpiryCommands
{
    public static Command Build(CommandRunner runner)
    {
        var expiry = new Command("expiry", "Points expiry: catch up after downtime, or see what would expire.");
        expiry.Subcommands.Add(Run(runner));
        return expiry;
    }

    private static Command Run(CommandRunner runner)
    {
        var asOf = OptionFactory.Time("--as-of", "Expire as of this moment, UTC (default: now). Later than now only with --dry-run.");
        var partner = new Option<string?>("--partner") { Description = "Only this program (default: every program)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would expire and which warnings would go out; change nothing." };
        var command = new Command(
            "run",
            "Posts the expiries due by then under each program's policy and sends the warnings due. Safe to repeat: "
            + "nothing expires twice and no warning is sent twice.")
        {
            asOf, partner, dryRun,
        };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var request = new RunExpiryRequest
            {
                IdempotencyKey = context.IdempotencyKey,
                AsOfTime = context.Value(asOf),
                ProgramCode = context.Value(partner)?.ToUpperInvariant() ?? "",
                DryRun = context.Value(dryRun),
            };
            var response = await context.Exchange.Admin.RunExpiryAsync(request, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            context.Output.Write(Terminal.NewDetails(
            [
                ("As of", Display.Time(response.AsOfTime)),
                ("Dry run", response.DryRun ? "yes: nothing was changed" : "no"),
                ("Expired points", Display.Count(response.ExpiredPoints)),
                ("Expired accounts", Display.Count(response.ExpiredAccounts)),
                ("Warnings sent", Display.Count(response.Warnings)),
            ]));
            return Cli.ExitOk;
        });
        return command;
    }
}
