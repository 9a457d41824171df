using PartnerExchange.Domain.Settlement;

namespace PartnerExchange.Domain.Tests.Settlement;

public class StatementMathTests
{
    private static readonly PeriodBounds Bounds = new(1_700_000_000_000_000, 1_700_000_100_000_000);

    [Theory]
    // currency, line micros (comma-separated), fee bps, gross micros, gross minor, fee minor, due minor
    [InlineData("USD", "5000,5000", 0, 10_000, 1, 0, 1)] // two half-cents make one cent: rounded once, not per line (which gives 2).
    [InlineData("USD", "4999", 0, 4_999, 0, 0, 0)]
    [InlineData("USD", "5000", 0, 5_000, 1, 0, 1)]
    [InlineData("USD", "12500000,-2500000", 0, 10_000_000, 1_000, 0, 1_000)]
    [InlineData("USD", "12500000", 250, 12_500_000, 1_250, 31, 1_250)] // 1250 × 2.5% = 31.25 → 31.
    [InlineData("USD", "10000000", 50, 10_000_000, 1_000, 5, 1_000)] // 1000 × 0.5% = 5.
    [InlineData("USD", "1000000", 50, 1_000_000, 100, 1, 100)] // 100 × 0.5% = 0.5 → 1 (half away from zero).
    [InlineData("USD", "980000", 50, 980_000, 98, 0, 98)] // 98 × 0.5% = 0.49 → 0.
    [InlineData("USD", "-5000000", 0, -5_000_000, -500, 0, 0)] // reversals outweigh: nothing is due.
    [InlineData("USD", "-1000000", 50, -1_000_000, -100, -1, 0)] // a negative fee mirrors the positive one.
    [InlineData("JPY", "500000", 0, 500_000, 1, 0, 1)]
    [InlineData("JPY", "499999,1", 0, 500_000, 1, 0, 1)]
    [InlineData("JPY", "1200000000", 10_000, 1_200_000_000, 1_200, 1_200, 1_200)]
    [InlineData("KWD", "1500", 0, 1_500, 2, 0, 2)]
    public void Totals_RoundGrossOnceAndFeeHalfAwayFromZero(
        string currency, string micros, int feeBasisPoints, long grossMicros, long grossMinor, long feeMinor, long dueMinor)
    {
        var lines = micros.Split(',').Select((m, i) => Line(i + 1, 10, long.Parse(m, System.Globalization.CultureInfo.InvariantCulture))).ToList();

        var totals = StatementMath.Totals(lines, currency, feeBasisPoints).Value;

        Assert.Equal(lines.Count, totals.LineCount);
        Assert.Equal(10 * lines.Count, totals.DestinationPoints);
        Assert.Equal(grossMicros, totals.GrossAmountMicros);
        Assert.Equal(grossMinor, totals.GrossAmountMinor);
        Assert.Equal(feeMinor, totals.NetworkFeeMinor);
        Assert.Equal(dueMinor, totals.AmountDueMinor);
    }

    [Fact]
    public void Totals_PastTheLongRange_IsRefusedAsOverflow()
    {
        var lines = new[] { Line(1, 1, long.MaxValue), Line(2, 1, 1) };

        var refusal = StatementMath.Totals(lines, "USD", 0).Refusal;

        Assert.Equal(ErrorReason.BalanceOverflow, refusal.Reason);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Totals_RejectsFeeOutsideZeroToTenThousand(int feeBasisPoints) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StatementMath.Totals([Line(1, 1, 1)], "USD", feeBasisPoints));

    [Fact]
    public void ClosePeriod_GroupsByPayerPayeeCurrency_InOrdinalOrder_WithLinesInSequenceOrder()
    {
        var obligations = new[]
        {
            Owe("SHOP", "AIR", "USD", Line(5, 100, 1_250_000)),
            Owe("AIR", "HOTEL", "EUR", Line(2, 40, 400_000)),
            Owe("SHOP", "AIR", "USD", Line(3, 200, 2_500_000)),
            Owe("SHOP", "AIR", "USD", Line(9, -100, -1_250_000)),
            Owe("SHOP", "HOTEL", "EUR", Line(4, 10, 100_000)),
        };

        var period = StatementMath.ClosePeriod(Bounds, obligations, 0).Value;

        Assert.Equal(
            [("AIR", "HOTEL", "EUR"), ("SHOP", "AIR", "USD"), ("SHOP", "HOTEL", "EUR")],
            period.Statements.Select(s => (s.Parties.PayerProgramCode, s.Parties.PayeeProgramCode, s.Parties.CurrencyCode)));
        var shopAir = period.Statements[1];
        Assert.Equal([3L, 5L, 9L], shopAir.Lines.Select(l => l.Sequence));
        Assert.Equal(new StatementTotals(3, 200, 2_500_000, 250, 0, 250), shopAir.Totals);
    }

    [Fact]
    public void ClosePeriod_StatementTotals_EqualTheSumOfTheirLines()
    {
        var random = new Random(4);
        var programs = new[] { ("A", "USD"), ("B", "EUR"), ("C", "JPY"), ("D", "USD") };
        var obligations = Enumerable.Range(1, 2_000).Select(seq =>
        {
            var payer = programs[random.Next(programs.Length)];
            var payee = programs.Where(p => p != payer).ElementAt(random.Next(programs.Length - 1));
            var points = random.Next(1, 50_000) * (random.Next(10) == 0 ? -1L : 1L);
            return Owe(payer.Item1, payee.Item1, payee.Item2, Line(seq, points, points * random.Next(1, 20_000)));
        }).ToList();

        var period = StatementMath.ClosePeriod(Bounds, obligations, 75).Value;

        Assert.Equal(obligations.Count, period.Statements.Sum(s => s.Totals.LineCount));
        foreach (var statement in period.Statements)
        {
            Assert.Equal(statement.Lines.Count, statement.Totals.LineCount);
            Assert.Equal(statement.Lines.Sum(l => l.DestinationPoints), statement.Totals.DestinationPoints);
            Assert.Equal(statement.Lines.Sum(l => l.AmountMicros), statement.Totals.GrossAmountMicros);
        }
    }

    [Fact]
    public void ClosePeriod_NetPositions_SumToZeroPerCurrency()
    {
        var obligations = new[]
        {
            Owe("A", "B", "USD", Line(1, 10, 1_234_567)),
            Owe("B", "A", "EUR", Line(2, 10, 7_654_321)),
            Owe("C", "B", "USD", Line(3, 10, 5_000)),
            Owe("A", "C", "JPY", Line(4, 10, 2_500_000)),
            Owe("C", "A", "EUR", Line(5, -10, -99_999)),
        };

        var period = StatementMath.ClosePeriod(Bounds, obligations, 0).Value;

        foreach (var currency in period.NetPositions.GroupBy(p => p.CurrencyCode))
        {
            Assert.Equal(0, currency.Sum(p => p.NetMinor));
        }
        var bUsd = Assert.Single(period.NetPositions, p => p is { ProgramCode: "B", CurrencyCode: "USD" });
        Assert.Equal(new NetPosition("B", "USD", 123 + 1, 0, 0), bUsd); // 123.4567 → 123 cents; 0.5 cent → 1 cent.
        Assert.Equal(
            ["A/EUR", "A/JPY", "A/USD", "B/EUR", "B/USD", "C/EUR", "C/JPY", "C/USD"],
            period.NetPositions.Select(p => $"{p.ProgramCode}/{p.CurrencyCode}"));
    }

    [Fact]
    public void ClosePeriod_NetPositions_ChargeEachPayerTheFeesOfTheStatementsItPays()
    {
        var obligations = new[]
        {
            Owe("A", "B", "USD", Line(1, 10, 100_000_000)), // 100.00 USD
            Owe("A", "B", "USD", Line(2, -1, -10_000_000)), // a reversal: 90.00 USD in all, fee 0.90
            Owe("C", "B", "USD", Line(3, 10, 50_000_000)),  // 50.00 USD, fee 0.50
            Owe("B", "A", "USD", Line(4, 10, 20_000_000)),  // 20.00 USD, fee 0.20
        };

        var period = StatementMath.ClosePeriod(Bounds, obligations, 100).Value;

        Assert.Equal(
            [
                new NetPosition("A", "USD", 2_000, 9_000, 90),
                new NetPosition("B", "USD", 14_000, 2_000, 20),
                new NetPosition("C", "USD", 0, 5_000, 50),
            ],
            period.NetPositions);
        Assert.Equal([-7_090, 11_980, -5_050], period.NetPositions.Select(p => p.NetAfterFeeMinor));
        Assert.Equal(0, period.NetPositions.Sum(p => p.NetMinor));
        Assert.Equal(-(90 + 50 + 20), period.NetPositions.Sum(p => p.NetAfterFeeMinor));
    }

    [Fact]
    public void ClosePeriod_NetAfterFeePastTheLongRange_IsRefusedAsOverflow()
    {
        // Each statement is as large as one can be (long.MaxValue micros, 9,223,372,036,854.78 USD) and its fee is the
        // whole of it: the payer's payable still fits, but payable plus fees does not.
        const int payees = 5_001;
        var obligations = Enumerable.Range(0, payees).Select(i => Owe("A", $"P{i:D4}", "USD", Line(i + 1, 1, long.MaxValue)));

        var period = StatementMath.ClosePeriod(Bounds, obligations, StatementMath.MaxFeeBasisPoints);

        Assert.Equal(ErrorReason.BalanceOverflow, period.Refusal.Reason);
    }

    [Fact]
    public void Totals_ReversalsOutweighingConversions_AreARefundThePayeeOwes()
    {
        var totals = StatementMath.Totals([Line(1, 10, 2_000_000), Line(2, -30, -7_000_000)], "USD", 0).Value;

        Assert.Equal(0, totals.AmountDueMinor);
        Assert.Equal(500, totals.RefundDueMinor);
        Assert.Equal(500, totals.SettlementDueMinor);
        Assert.DoesNotContain("refund", ContentHashes.StatementText(Bounds, new StatementParties("A", "B", "USD"), totals, []), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(StatementMath.MaxFeeBasisPoints)]
    public void ClosePeriod_EachPartnersOpenObligationsAtTheLimit_Closes(int feeBasisPoints)
    {
        // The worst a partner's open obligations allow: A pays the whole limit, B is paid it in lines of one micro
        // per point, and C both pays and is paid half of it, at the largest fee.
        const long limit = StatementMath.MaxOpenObligationMicros;
        var obligations = new[]
        {
            Owe("A", "B", "USD", Line(1, limit / 2, limit / 2)),
            Owe("A", "B", "USD", Line(2, limit - (limit / 2), limit - (limit / 2))),
            Owe("C", "D", "USD", Line(3, limit / 2, limit / 2)),
            Owe("E", "C", "USD", Line(4, limit / 2, limit / 2)),
        };

        var period = StatementMath.ClosePeriod(Bounds, obligations, feeBasisPoints);

        Assert.True(period.IsSuccess);
    }

    [Fact]
    public void ClosePeriod_SameObligationsInAnyOrder_GiveTheSameHashes()
    {
        var obligations = new[]
        {
            Owe("A", "B", "USD", Line(1, 10, 100_000)),
            Owe("A", "B", "USD", Line(2, 20, 200_000)),
            Owe("B", "A", "EUR", Line(3, 30, 300_000)),
        };

        var first = StatementMath.ClosePeriod(Bounds, obligations, 10).Value;
        var second = StatementMath.ClosePeriod(Bounds, obligations.Reverse(), 10).Value;

        Assert.Equal(first.Statements.Select(s => s.ContentHash), second.Statements.Select(s => s.ContentHash));
        Assert.Equal(first.ContentHash, second.ContentHash);
        Assert.Equal(ContentHashes.Period(first.Statements.Select(s => s.ContentHash)), first.ContentHash);
    }

    [Fact]
    public void ClosePeriod_WithoutObligations_HasNoStatementsAndTheEmptyHash()
    {
        var period = StatementMath.ClosePeriod(Bounds, [], 0).Value;

        Assert.Empty(period.Statements);
        Assert.Empty(period.NetPositions);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", period.ContentHash);
    }

    internal static ObligationLine Line(long sequence, long points, long micros) =>
        new(sequence, $"tx_{sequence:D4}", points, micros, 0);

    private static Obligation Owe(string payer, string payee, string currency, ObligationLine line) => new(payer, payee, currency, line);
}
