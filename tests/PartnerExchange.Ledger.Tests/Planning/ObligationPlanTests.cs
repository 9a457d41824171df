using PartnerExchange.Domain;
using PartnerExchange.Domain.Settlement;
using PartnerExchange.Ledger.Planning;

namespace PartnerExchange.Ledger.Tests.Planning;

/// <summary>The obligation plan alone, over plain values: no database.</summary>
public sealed class ObligationPlanTests
{
    [Theory]
    [InlineData(0, 1_000)]
    [InlineData(StatementMath.MaxOpenObligationMicros - 1_000, 1_000)]
    [InlineData(StatementMath.MaxOpenObligationMicros - 1_000, -1_000)]
    public void Accepts_ObligationWithinTheOpenLimit(long largestOpenMicros, long amountMicros) =>
        Assert.Null(ObligationPlan.RefuseBeyondOpenLimit(largestOpenMicros, amountMicros));

    [Theory]
    [InlineData(StatementMath.MaxOpenObligationMicros - 999, 1_000)]
    [InlineData(StatementMath.MaxOpenObligationMicros - 999, -1_000)]
    public void Rejects_ObligationBeyondTheOpenLimit(long largestOpenMicros, long amountMicros) =>
        Assert.Equal(ErrorReason.BalanceOverflow, ObligationPlan.RefuseBeyondOpenLimit(largestOpenMicros, amountMicros)?.Reason);

    [Fact]
    public void RecordedAtMicros_ClockBehindTheLatestClosedPeriod_RecordsAtThePeriodsEnd() =>
        Assert.Equal(5_000, ObligationPlan.RecordedAtMicros(nowMicros: 4_000, latestClosedPeriodEndMicros: 5_000));

    [Fact]
    public void RecordedAtMicros_ClockAfterEveryClosedPeriod_RecordsNow() =>
        Assert.Equal(6_000, ObligationPlan.RecordedAtMicros(nowMicros: 6_000, latestClosedPeriodEndMicros: 5_000));
}
