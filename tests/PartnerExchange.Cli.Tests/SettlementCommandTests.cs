using PartnerExchange.Cli.Tests.Infrastructure;

namespace PartnerExchange.Cli.Tests;

/// <summary>pxctl's settlement, reconcile, liability and ledger commands on a small closed period.</summary>
public sealed class SettlementCommandTests(SettlementNetwork network) : IClassFixture<SettlementNetwork>
{
    private static readonly string CsvHeader =
        "sequence,transaction_id,kind,create_time,source_member,destination_member,destination_points,amount_micros,amount_minor,reversed_transaction_id";

    private CliExchange Exchange => network.Exchange;

    [Fact]
    public async Task SettlementClose_Json_HasOneStatementForThePair()
    {
        var close = await network.CloseAsync();

        Assert.True(close.ExitCode == 0, close.ToString());
        var statement = Assert.Single(close.Json().GetProperty("statements").EnumerateArray());
        Assert.Equal(network.Source, statement.GetProperty("payerProgramCode").GetString());
        Assert.Equal(network.Destination, statement.GetProperty("payeeProgramCode").GetString());
        Assert.Equal("USD", statement.GetProperty("currencyCode").GetString());
        Assert.Equal(3, statement.GetProperty("lineCount").GetInt32());
        Assert.Equal("7000", statement.GetProperty("destinationPoints").GetString());
        Assert.Equal("8400", statement.GetProperty("grossAmountMinor").GetString());
    }

    [Fact]
    public async Task SettlementClose_SamePeriodAgain_ReturnsTheSameStatements()
    {
        var first = await network.CloseAsync();
        Assert.True(first.ExitCode == 0, first.ToString());
        var period = first.Json().GetProperty("period");

        var again = await Exchange.PxctlAsync(
            "settlement", "close",
            "--from", period.GetProperty("startTime").GetString()!,
            "--to", period.GetProperty("endTime").GetString()!);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains(period.GetProperty("periodId").GetString()!, again.Stdout, StringComparison.Ordinal);
        Assert.Contains(period.GetProperty("contentHash").GetString()!, again.Stdout, StringComparison.Ordinal);
        Assert.Contains("84.00 USD", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettlementPeriodsAndShow_ListTheClosedPeriodWithNetPositions()
    {
        var (periodId, _) = await network.ClosedAsync();

        var periods = await Exchange.PxctlAsync("settlement", "periods");
        var show = await Exchange.PxctlAsync("settlement", "show", periodId, "-o", "json");

        Assert.True(periods.ExitCode == 0, periods.ToString());
        Assert.Contains(periodId, periods.Stdout, StringComparison.Ordinal);
        var positions = show.Json().GetProperty("period").GetProperty("netPositions").EnumerateArray()
            .ToDictionary(p => p.GetProperty("programCode").GetString()!, p => p.GetProperty("netMinor").GetString());
        Assert.Equal("8400", positions[network.Destination]);
        Assert.Equal("-8400", positions[network.Source]);
    }

    [Fact]
    public async Task SettlementShow_Table_ShowsThePayersNetworkFeeAndItsNetAfterFee()
    {
        var (periodId, _) = await network.ClosedAsync();

        var show = await Exchange.PxctlAsync("settlement", "show", periodId);

        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("NET AFTER FEE", show.Stdout, StringComparison.Ordinal);
        var sourceRow = Assert.Single(show.Stdout.Split('\n'), line => line.Contains(network.Source, StringComparison.Ordinal));
        // Receivable, payable, net, network fee, net after fee: SRC pays 84.00 and the network's 2.10.
        Assert.Matches(@"0\.00 USD.*84\.00 USD.*-84\.00 USD.*2\.10 USD.*-86\.10 USD", sourceRow);
    }

    [Fact]
    public async Task SettlementStatements_Table_ListsThePairForEitherPartner()
    {
        var (periodId, statementId) = await network.ClosedAsync();

        var all = await Exchange.PxctlAsync("settlement", "statements", periodId);
        var payee = await Exchange.PxctlAsync("settlement", "statements", periodId, "--partner", network.Destination);
        var statement = await Exchange.PxctlAsync("settlement", "statement", statementId);

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains(statementId, all.Stdout, StringComparison.Ordinal);
        Assert.Contains(statementId, payee.Stdout, StringComparison.Ordinal);
        Assert.Contains("84.00 USD", statement.Stdout, StringComparison.Ordinal);
        Assert.Contains("Content hash", statement.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettlementExport_File_WritesTheCsvOfEveryLine()
    {
        var (_, statementId) = await network.ClosedAsync();
        var file = Path.Combine(Exchange.Folder, $"export-{Guid.NewGuid():N}.csv");

        var run = await Exchange.PxctlAsync("settlement", "export", statementId, "--file", file);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = (await File.ReadAllTextAsync(file)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(CsvHeader, lines[0]);
        Assert.Equal(4, lines.Length);
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToList();
        Assert.Equal(network.ConversionIds, rows.Select(row => row[1]));
        Assert.All(rows, row => Assert.Equal("CONVERSION", row[2]));
        Assert.All(rows, row => Assert.Equal(network.SourceMember, row[4]));
        Assert.All(rows, row => Assert.Equal(network.DestinationMember, row[5]));
        Assert.Equal(["4000", "2000", "1000"], rows.Select(row => row[6]));
        Assert.Equal(["48000000", "24000000", "12000000"], rows.Select(row => row[7]));
        Assert.Equal(["4800", "2400", "1200"], rows.Select(row => row[8]));
        Assert.False(File.Exists(file + ".partial"));
    }

    [Fact]
    public async Task SettlementExport_NoFile_WritesCsvToStdoutAndTheCountToStderr()
    {
        var (_, statementId) = await network.ClosedAsync();

        var run = await Exchange.PxctlAsync("settlement", "export", statementId);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith(CsvHeader + "\r\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("exported 3 line(s)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettlementExport_JsonNoFile_IsOneDocumentWithTheLines()
    {
        var (_, statementId) = await network.ClosedAsync();

        var run = await Exchange.PxctlAsync("settlement", "export", statementId, "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.Equal(statementId, json.GetProperty("statement").GetProperty("statementId").GetString());
        Assert.Equal(3, json.GetProperty("lines").GetArrayLength());
    }

    [Fact]
    public async Task SettlementPay_PartialThenOverpayThenRest_SettlesExactly()
    {
        var (_, statementId) = await network.ClosedAsync();

        var partial = await Exchange.PxctlAsync("settlement", "pay", statementId, "--amount", "50.00", "--currency", "USD", "--reference", "wire-1", "-o", "json");
        var overpay = await Exchange.PxctlAsync("settlement", "pay", statementId, "--amount", "34.01", "--currency", "usd");
        var rest = await Exchange.PxctlAsync("settlement", "pay", statementId, "--amount", "34", "--currency", "USD");

        Assert.True(partial.ExitCode == 0, partial.ToString());
        Assert.Equal("STATEMENT_STATUS_PARTIALLY_PAID", partial.Json().GetProperty("statement").GetProperty("status").GetString());
        Assert.Equal("5000", partial.Json().GetProperty("payment").GetProperty("amountMinor").GetString());
        Assert.Equal(2, overpay.ExitCode);
        Assert.StartsWith("error: FAILED_PRECONDITION OVERPAYMENT:", overpay.Stderr, StringComparison.Ordinal);
        Assert.Contains("outstanding = 34.00 USD", overpay.Stderr, StringComparison.Ordinal);
        Assert.True(rest.ExitCode == 0, rest.ToString());
        Assert.Contains("SETTLED", rest.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12.345", "USD", "3 decimals; at most 2")]
    [InlineData("1.5", "JPY", "1 decimals; at most 0")]
    [InlineData("12,34", "USD", "is not an amount")]
    [InlineData("0", "USD", "more than zero")]
    [InlineData("10", "ABC", "not a supported ISO 4217 currency")]
    public async Task SettlementPay_AmountTheCurrencyCannotHold_IsRefusedBeforeSending(string amount, string currency, string message)
    {
        var run = await Exchange.PxctlAsync("settlement", "pay", "any-statement", "--amount", amount, "--currency", currency);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_CleanFile_ExitsZero()
    {
        var (_, statementId) = await network.ClosedAsync();
        var file = await PartnerFileAsync(statementId, changeSecondAmount: false);

        var run = await Exchange.PxctlAsync("reconcile", statementId, "--file", file);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("3 matched, clean", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_ChangedAmount_ExitsOneAndListsTheDifference()
    {
        var (_, statementId) = await network.ClosedAsync();
        var file = await PartnerFileAsync(statementId, changeSecondAmount: true);

        var table = await Exchange.PxctlAsync("reconcile", statementId, "--file", file);
        var json = await Exchange.PxctlAsync("reconcile", statementId, "--file", file, "-o", "json");

        Assert.True(table.ExitCode == 1, table.ToString());
        Assert.Contains("2 matched, 1 difference(s)", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("AMOUNT_MISMATCH", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(network.ConversionIds[1], table.Stdout, StringComparison.Ordinal);
        Assert.Contains("24.00 USD", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("24.01 USD", table.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, json.ExitCode);
        var difference = Assert.Single(json.Json().GetProperty("differences").EnumerateArray());
        Assert.Equal("DIFFERENCE_KIND_AMOUNT_MISMATCH", difference.GetProperty("kind").GetString());
        Assert.Equal("2400", difference.GetProperty("exchangeAmountMinor").GetString());
        Assert.Equal("2401", difference.GetProperty("partnerAmountMinor").GetString());
    }

    [Fact]
    public async Task Reconcile_MalformedRow_ExitsTwoNamingTheLine()
    {
        var file = Path.Combine(Exchange.Folder, $"bad-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "transaction_id,destination_points,amount_minor\nT1,12x,5\n");

        var run = await Exchange.PxctlAsync("reconcile", "any-statement", "--file", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("line 2: destination_points '12x' is not a whole number", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_UnknownStatement_ExitsTwo()
    {
        var file = Path.Combine(Exchange.Folder, $"empty-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "transaction_id,destination_points,amount_minor\n");

        var run = await Exchange.PxctlAsync("reconcile", "no-such-statement", "--file", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("STATEMENT_NOT_FOUND", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Liability_ValuesTheMembersPoints()
    {
        var run = await Exchange.PxctlAsync("liability", network.Source, "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        // 100,000 accrued less 8,750 converted out, at USD 0.01 a point.
        Assert.Equal("91250", json.GetProperty("outstandingPoints").GetString());
        Assert.Equal("91250", json.GetProperty("outstandingValueMinor").GetString());
        Assert.Equal("USD", json.GetProperty("currencyCode").GetString());
    }

    [Fact]
    public async Task LedgerVerify_CleanLedger_ExitsZero()
    {
        await network.ClosedAsync();

        var run = await Exchange.PxctlAsync("ledger", "verify");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("every check passed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LedgerVerify_Table_FitsIn120Columns()
    {
        await network.ClosedAsync();

        var run = await Exchange.PxctlAsync("ledger", "verify");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.All(run.Stdout.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 120, $"{line.Length} columns: {line}"));
    }

    /// <summary>Writes the partner's record of the statement from pxctl's own export, optionally with one amount off by a cent.</summary>
    private async Task<string> PartnerFileAsync(string statementId, bool changeSecondAmount)
    {
        var export = Path.Combine(Exchange.Folder, $"export-{Guid.NewGuid():N}.csv");
        var run = await Exchange.PxctlAsync("settlement", "export", statementId, "--file", export);
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = (await File.ReadAllLinesAsync(export)).Skip(1).Where(line => line.Length > 0).Select(line => line.Split(',')).ToList();
        var lines = new List<string> { "transaction_id,destination_points,amount_minor" };
        for (var i = 0; i < rows.Count; i++)
        {
            var amount = long.Parse(rows[i][8], System.Globalization.CultureInfo.InvariantCulture) + (changeSecondAmount && i == 1 ? 1 : 0);
            // Quoted ids, as spreadsheets often write them: the reader must take RFC 4180 quoting.
            lines.Add($"\"{rows[i][1]}\",{rows[i][6]},{amount}");
        }
        var file = Path.Combine(Exchange.Folder, $"partner-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(file, lines);
        return file;
    }
}
