using PartnerExchange.V1;
using Spectre.Console;

namespace PartnerExchange.Cli.Output;

/// <summary>Transactions as people read them: a table of many, the details of one.</summary>
internal static class TransactionOutput
{
    /// <summary>One row per transaction, in the order given (the server lists newest first).</summary>
    public static Table Table(IEnumerable<Transaction> transactions)
    {
        var table = Terminal.NewTable("SEQUENCE", "CREATED", "KIND", "POINTS", "FEE", "COUNTERPARTY", "REFERENCE", "TRANSACTION");
        foreach (var transaction in transactions)
        {
            Terminal.AddRow(
                table,
                Display.Count(transaction.Sequence),
                Display.Time(transaction.CreateTime),
                Display.Name(transaction.Kind),
                Display.SignedCount(transaction.Points),
                transaction.FeePoints == 0 ? "" : Display.Count(transaction.FeePoints),
                transaction.CounterpartyProgramCode,
                transaction.Reference,
                transaction.TransactionId);
        }
        return table;
    }

    /// <summary>Every field of one transaction that is set, as the program it was read for sees it.</summary>
    public static IEnumerable<(string Name, string Value)> Details(Transaction transaction)
    {
        yield return ("Transaction", transaction.TransactionId);
        yield return ("Sequence", Display.Count(transaction.Sequence));
        yield return ("Kind", Display.Name(transaction.Kind));
        yield return ("Program", transaction.ProgramCode);
        yield return ("Member", transaction.MemberNumber);
        yield return ("Points", Display.SignedCount(transaction.Points));
        if (transaction.AccrualReason != AccrualReason.Unspecified)
        {
            yield return ("Accrual reason", Display.Name(transaction.AccrualReason));
        }
        if (transaction.FeePoints != 0)
        {
            yield return ("Fee", Display.Count(transaction.FeePoints));
        }
        if (transaction.CounterpartyProgramCode.Length > 0)
        {
            yield return ("Counterparty", transaction.CounterpartyProgramCode);
        }
        if (transaction.RateVersion != 0)
        {
            yield return ("Rate version", Display.Count(transaction.RateVersion));
        }
        if (transaction.ReversedTransactionId.Length > 0)
        {
            yield return ("Reverses", transaction.ReversedTransactionId);
        }
        yield return ("Reference", transaction.Reference);
        yield return ("Created", Display.Time(transaction.CreateTime));
    }
}
