using PartnerExchange.Domain.Settlement;

namespace PartnerExchange.Domain.Tests.Settlement;

public class ReconciliationTests
{
    private static readonly ReconciliationEntry[] Statement =
    [
        new("tx_a", 800, 1_000),
        new("tx_b", 1_600, 2_000),
        new("tx_c", -800, -1_000),
    ];

    [Fact]
    public void Match_IdenticalRecord_IsCleanWithEveryLineMatched()
    {
        var report = Reconciliation.Match(Statement, Statement.Reverse().ToArray());

        Assert.True(report.IsClean);
        Assert.Equal(3, report.MatchedCount);
    }

    [Theory]
    [InlineData("missing", DifferenceKind.MissingAtPartner, "tx_b")]
    [InlineData("extra", DifferenceKind.MissingAtExchange, "tx_z")]
    [InlineData("amount", DifferenceKind.AmountMismatch, "tx_a")]
    [InlineData("points", DifferenceKind.PointsMismatch, "tx_a")]
    [InlineData("duplicate", DifferenceKind.DuplicateRow, "tx_c")]
    public void Match_OneChange_ReportsExactlyThatDifference(string change, DifferenceKind expected, string transactionId)
    {
        var report = Reconciliation.Match(Statement, Changed(change));

        var difference = Assert.Single(report.Differences);
        Assert.Equal((expected, transactionId), (difference.Kind, difference.TransactionId));
        Assert.False(report.IsClean);
    }

    [Fact]
    public void Match_PointsAndAmountBothDiffer_IsOnePointsMismatchWithBothSides()
    {
        var report = Reconciliation.Match(Statement, [new("tx_a", 801, 1_001), Statement[1], Statement[2]]);

        var difference = Assert.Single(report.Differences);
        Assert.Equal(new ReconciliationDifference(DifferenceKind.PointsMismatch, "tx_a", 800, 801, 1_000, 1_001), difference);
        Assert.Equal(2, report.MatchedCount);
    }

    [Fact]
    public void Match_MissingExtraAndChangedTogether_EachReportedOnceInIdOrder()
    {
        ReconciliationEntry[] partner = [new("tx_a", 800, 999), Statement[2], new("tx_0", 5, 5)];

        var report = Reconciliation.Match(Statement, partner);

        Assert.Equal(
            [(DifferenceKind.MissingAtExchange, "tx_0"), (DifferenceKind.AmountMismatch, "tx_a"), (DifferenceKind.MissingAtPartner, "tx_b")],
            report.Differences.Select(d => (d.Kind, d.TransactionId)).ToArray());
        Assert.Equal(1, report.MatchedCount);
    }

    [Fact]
    public void Match_RowRepeatedThreeTimes_IsOneDuplicateAndStillMatched()
    {
        var report = Reconciliation.Match(Statement, [.. Statement, Statement[0], Statement[0]]);

        Assert.Equal((DifferenceKind.DuplicateRow, "tx_a"), (Assert.Single(report.Differences).Kind, report.Differences[0].TransactionId));
        Assert.Equal(3, report.MatchedCount);
    }

    [Fact]
    public void Match_EmptyRecord_ReportsEveryLineMissingAtPartner()
    {
        var report = Reconciliation.Match(Statement, []);

        Assert.All(report.Differences, d => Assert.Equal(DifferenceKind.MissingAtPartner, d.Kind));
        Assert.Equal(3, report.Differences.Count);
    }

    [Fact]
    public void Match_EmptyStatement_ReportsEveryRowMissingAtExchange()
    {
        var report = Reconciliation.Match([], Statement);

        Assert.All(report.Differences, d => Assert.Equal(DifferenceKind.MissingAtExchange, d.Kind));
        Assert.Equal(0, report.MatchedCount);
    }

    private static ReconciliationEntry[] Changed(string change) => change switch
    {
        "missing" => [Statement[0], Statement[2]],
        "extra" => [.. Statement, new("tx_z", 10, 10)],
        "amount" => [Statement[0] with { AmountMinor = 1_001 }, Statement[1], Statement[2]],
        "points" => [Statement[0] with { DestinationPoints = 801 }, Statement[1], Statement[2]],
        "duplicate" => [.. Statement, Statement[2]],
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };
}
