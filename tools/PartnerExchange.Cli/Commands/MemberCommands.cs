using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl members adjust CODE MEMBER --points N --reason TEXT</c>: an operator's correction of a balance.</summary>
internal static class MemberCommands
{
    public static Command Build(CommandRunner runner)
    {
        var members = new Command("members", "Members of the partners' programs.");
        members.Subcommands.Add(Adjust(runner));
        return members;
    }

    private static Command Adjust(CommandRunner runner)
    {
        var code = OptionFactory.ProgramCode("The member's program code.");
        var member = new Argument<string>("MEMBER") { Description = "The member's number in the program." };
        var points = OptionFactory.Long(
            "--points", "Signed change of the balance: positive credits the member, negative debits (e.g. --points -500); never 0.", required: true);
        var reason = new Option<string>("--reason")
        {
            Description = "Why, in the operator's words (1–128 characters). The partner reads it as the transaction's reference.",
            Required = true,
        };
        var command = new Command(
            "adjust",
            "Credits or debits a member's balance by an operator's decision (a goodwill credit, a correction, a clawback) as one "
            + "ADJUSTMENT transaction the partner sees. A debit never takes the balance below zero; a further adjustment undoes one.")
        {
            code, member, points, reason,
        };
        runner.Mutates(command, async (context, cancellationToken) =>
        {
            var request = new AdjustBalanceRequest
            {
                IdempotencyKey = context.IdempotencyKey,
                ProgramCode = context.Required(code),
                MemberNumber = context.Required(member),
                Points = context.Required(points),
                Reason = context.Required(reason),
            };
            var response = await context.Exchange.Admin.AdjustBalanceAsync(request, context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.WriteJson(response);
                return Cli.ExitOk;
            }
            var transaction = response.Transaction;
            context.Output.Line(
                $"Adjusted member {transaction.MemberNumber} of {transaction.ProgramCode} by {Display.SignedCount(transaction.Points)} "
                + $"points; the balance is now {Display.Count(response.BalancePoints)}.");
            context.Output.Line();
            context.Output.Write(Terminal.NewDetails(
            [
                ("Transaction", transaction.TransactionId),
                ("Sequence", Display.Count(transaction.Sequence)),
                ("Kind", Display.Name(transaction.Kind)),
                ("Program", transaction.ProgramCode),
                ("Member", transaction.MemberNumber),
                ("Points", Display.SignedCount(transaction.Points)),
                ("Balance", Display.Count(response.BalancePoints)),
                ("Reason", transaction.Reference),
                ("Created", Display.Time(transaction.CreateTime)),
            ]));
            return Cli.ExitOk;
        });
        return command;
    }
}
