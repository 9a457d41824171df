using System.CommandLine;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary>
/// <c>pxctl members show CODE MEMBER</c>: a member's account as its partner sees it, for support;
/// <c>pxctl members adjust CODE MEMBER --points N --reason TEXT</c>: an operator's correction of a balance.
/// </summary>
internal static class MemberCommands
{
    public static Command Build(CommandRunner runner)
    {
        var members = new Command("members", "Members of the partners' programs.");
        members.Subcommands.Add(Show(runner));
        members.Subcommands.Add(Adjust(runner));
        return members;
    }

    private static Command Show(CommandRunner runner)
    {
        var code = OptionFactory.ProgramCode("The member's program code.");
        var member = new Argument<string>("MEMBER") { Description = "The member's number in the program." };
        var latest = new Option<int>("--transactions")
        {
            Description = "How many of the member's latest transactions to list (0–500).",
            DefaultValueFactory = _ => 10,
        };
        latest.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > OptionFactory.PageSize)
            {
                result.AddError($"--transactions must be between 0 and {OptionFactory.PageSize}.");
            }
        });
        var command = new Command(
            "show",
            "Shows a member's balance, lifetime totals, points expiring soon and latest transactions, exactly as the member's "
            + "partner sees them.")
        {
            code, member, latest,
        };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var (program, number, count) = (context.Required(code), context.Required(member), context.Required(latest));
            var account = await context.Exchange.Points.GetAccountAsync(
                new GetAccountRequest { ProgramCode = program, MemberNumber = number }, context.Exchange.Call(cancellationToken));
            var history = count == 0
                ? new ListTransactionsResponse()
                : await context.Exchange.Points.ListTransactionsAsync(
                    new ListTransactionsRequest { ProgramCode = program, MemberNumber = number, PageSize = count },
                    context.Exchange.Call(cancellationToken));
            if (context.Output.IsJson)
            {
                context.Output.Line(
                    $"{{\n\"account\": {Terminal.FormatJson(account)},\n\"latestTransactions\": {Terminal.FormatJson(history)}\n}}");
                return Cli.ExitOk;
            }
            WriteAccount(context.Output, account);
            context.Output.Line();
            context.Output.Write(TransactionOutput.Table(history.Transactions));
            context.Output.Line(history.NextPageToken.Length > 0
                ? $"the latest {history.Transactions.Count} transaction(s); more are older"
                : $"{history.Transactions.Count} transaction(s)");
            return Cli.ExitOk;
        });
        return command;
    }

    private static void WriteAccount(Terminal output, GetAccountResponse account)
    {
        var totals = account.Totals;
        var rows = new List<(string Name, string Value)>
        {
            ("Program", account.Member.ProgramCode),
            ("Member", account.Member.MemberNumber),
            ("Enrolled", Display.Time(account.Member.EnrollTime)),
            ("Balance", Display.Count(account.BalancePoints)),
            ("Accrued", Display.Count(totals.AccruedPoints)),
            ("Redeemed", Display.Count(totals.RedeemedPoints)),
            ("Converted out / in", $"{Display.Count(totals.ConvertedOutPoints)} / {Display.Count(totals.ConvertedInPoints)}"),
            ("Reversals credit / debit", $"{Display.Count(totals.ReversalCreditPoints)} / {Display.Count(totals.ReversalDebitPoints)}"),
            ("Adjustments credit / debit", $"{Display.Count(totals.AdjustmentCreditPoints)} / {Display.Count(totals.AdjustmentDebitPoints)}"),
            ("Expired", Display.Count(totals.ExpiredPoints)),
            ("Last sequence", Display.Count(account.LastSequence)),
        };
        rows.AddRange(account.Expiring.Select(e => ($"Expiring within {e.WithinDays} days", e.Points == 0
            ? "0"
            : $"{Display.Count(e.Points)} (first {Display.Time(e.FirstExpireTime)})")));
        output.Write(Terminal.NewDetails(rows));
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
            context.Output.Write(Terminal.NewDetails([.. TransactionOutput.Details(transaction), ("Balance", Display.Count(response.BalancePoints))]));
            return Cli.ExitOk;
        });
        return command;
    }
}
