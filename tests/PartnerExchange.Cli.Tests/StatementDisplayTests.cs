using PartnerExchange.Cli.Commands;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests;

/// <summary>How pxctl shows one statement: what is still owed, and by whom, on a refund statement too.</summary>
public sealed class StatementDisplayTests
{
    [Fact]
    public void WriteStatement_RefundStatementPartlyPaid_ShowsTheRefundStillOwed()
    {
        var shown = Show(new Statement { CurrencyCode = "USD", GrossAmountMinor = -1_200, RefundDueMinor = 1_200, PaidMinor = 200 });

        Assert.Matches(@"Refund due\s+12\.00 USD \(the payee owes the payer", shown);
        Assert.Matches(@"Outstanding\s+10\.00 USD", shown);
    }

    [Fact]
    public void WriteStatement_OrdinaryStatementPartlyPaid_ShowsTheAmountStillDue()
    {
        var shown = Show(new Statement { CurrencyCode = "USD", GrossAmountMinor = 8_400, AmountDueMinor = 8_400, PaidMinor = 5_000 });

        Assert.Matches(@"Refund due\s+0\.00 USD", shown);
        Assert.Matches(@"Outstanding\s+34\.00 USD", shown);
    }

    private static string Show(Statement statement)
    {
        using var stdout = new StringWriter();
        SettlementCommands.WriteStatement(new Terminal(stdout, TextWriter.Null, json: false), statement);
        return stdout.ToString();
    }
}
