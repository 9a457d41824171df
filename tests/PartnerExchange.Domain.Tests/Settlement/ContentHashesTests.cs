using PartnerExchange.Domain.Settlement;

namespace PartnerExchange.Domain.Tests.Settlement;

public class ContentHashesTests
{
    private static readonly PeriodBounds Bounds = new(1_700_000_000_000_000, 1_700_086_400_000_000);
    private static readonly StatementParties Parties = new("SHOP", "AIR", "USD");
    private static readonly StatementTotals Totals = new(2, 700, 8_750_000, 875, 22, 875);
    private static readonly ObligationLine[] Lines = [new(7, "tx_a", 800, 10_000_000, 1_000), new(12, "tx_b", -100, -1_250_000, -125)];

    // The documented encoding, written out by hand; the hash was computed independently (Python hashlib).
    private const string ExpectedText =
        "partnerexchange.statement.v1\n" +
        "period_start_micros=1700000000000000\n" +
        "period_end_micros=1700086400000000\n" +
        "payer=SHOP\n" +
        "payee=AIR\n" +
        "currency=USD\n" +
        "line_count=2\n" +
        "destination_points=700\n" +
        "gross_amount_micros=8750000\n" +
        "gross_amount_minor=875\n" +
        "network_fee_minor=22\n" +
        "amount_due_minor=875\n" +
        "line=7,tx_a,800,10000000\n" +
        "line=12,tx_b,-100,-1250000\n";

    private const string ExpectedHash = "96cd71cffb81deb742effd5fa5e208fc2d869da375f7706daa1129f6062b1cd1";

    [Fact]
    public void StatementText_IsTheDocumentedEncoding() =>
        Assert.Equal(ExpectedText, ContentHashes.StatementText(Bounds, Parties, Totals, Lines));

    [Fact]
    public void Statement_IsSha256HexOfTheText() =>
        Assert.Equal(ExpectedHash, ContentHashes.Statement(Bounds, Parties, Totals, Lines));

    [Fact]
    public void Period_IsSha256OverStatementHashesEachFollowedByLineFeed() =>
        Assert.Equal("a782963b1e95eb2b62ed5ecd5bb3840759000538bee90cd7abb420f63b834e8e", ContentHashes.Period([ExpectedHash]));

    [Theory]
    [InlineData("start")]
    [InlineData("end")]
    [InlineData("payer")]
    [InlineData("payee")]
    [InlineData("currency")]
    [InlineData("fee")]
    [InlineData("due")]
    [InlineData("line_points")]
    [InlineData("line_micros")]
    [InlineData("line_transaction")]
    [InlineData("line_sequence")]
    [InlineData("line_dropped")]
    public void Statement_ChangesWithEveryCoveredField(string change)
    {
        var (bounds, parties, totals, lines) = (Bounds, Parties, Totals, Lines.ToList());
        switch (change)
        {
            case "start": bounds = bounds with { StartMicros = bounds.StartMicros + 1 }; break;
            case "end": bounds = bounds with { EndMicros = bounds.EndMicros - 1 }; break;
            case "payer": parties = parties with { PayerProgramCode = "SHOP2" }; break;
            case "payee": parties = parties with { PayeeProgramCode = "AIR2" }; break;
            case "currency": parties = parties with { CurrencyCode = "EUR" }; break;
            case "fee": totals = totals with { NetworkFeeMinor = 23 }; break;
            case "due": totals = totals with { AmountDueMinor = 874 }; break;
            case "line_points": lines[0] = lines[0] with { DestinationPoints = 801 }; break;
            case "line_micros": lines[1] = lines[1] with { AmountMicros = -1_250_001 }; break;
            case "line_transaction": lines[0] = lines[0] with { TransactionId = "tx_c" }; break;
            case "line_sequence": lines[1] = lines[1] with { Sequence = 13 }; break;
            case "line_dropped": lines.RemoveAt(1); break;
        }

        Assert.NotEqual(ExpectedHash, ContentHashes.Statement(bounds, parties, totals, lines));
    }

    [Fact]
    public void Statement_IgnoresTheRoundedAmountOfALine_WhichFollowsFromItsMicros() =>
        Assert.Equal(ExpectedHash, ContentHashes.Statement(Bounds, Parties, Totals, [Lines[0] with { AmountMinor = 0 }, Lines[1]]));

    [Theory]
    [InlineData(12, 7)]
    [InlineData(7, 7)]
    public void Rejects_LinesOutOfSequenceOrder(long first, long second) =>
        Assert.Throws<ArgumentException>(() => ContentHashes.Statement(Bounds, Parties, Totals,
            [Lines[0] with { Sequence = first }, Lines[1] with { Sequence = second }]));
}
