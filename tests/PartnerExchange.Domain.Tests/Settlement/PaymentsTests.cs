using PartnerExchange.Domain.Settlement;

namespace PartnerExchange.Domain.Tests.Settlement;

public class PaymentsTests
{
    [Theory]
    [InlineData(1_000, 0, StatementStatus.Open)]
    [InlineData(1_000, 1, StatementStatus.PartiallyPaid)]
    [InlineData(1_000, 999, StatementStatus.PartiallyPaid)]
    [InlineData(1_000, 1_000, StatementStatus.Settled)]
    [InlineData(0, 0, StatementStatus.Settled)] // nothing due: settled at once.
    public void StatusOf_FollowsWhatIsOutstanding(long dueMinor, long paidMinor, StatementStatus expected) =>
        Assert.Equal(expected, Payments.StatusOf(dueMinor, paidMinor));

    [Theory]
    [InlineData(1_000, 0, 1, 1)]
    [InlineData(1_000, 0, 1_000, 1_000)]
    [InlineData(1_000, 400, 600, 1_000)]
    public void Accepts_PaymentUpToOutstanding(long dueMinor, long paidMinor, long amountMinor, long paidAfter) =>
        Assert.Equal(paidAfter, Payments.Check("USD", dueMinor, paidMinor, "USD", amountMinor).Value);

    [Theory]
    [InlineData(1_000, 0, 1_001, "1000")]
    [InlineData(1_000, 400, 601, "600")]
    [InlineData(1_000, 1_000, 1, "0")]
    [InlineData(0, 0, 1, "0")]
    public void Rejects_Overpayment_WithOutstandingInMetadata(long dueMinor, long paidMinor, long amountMinor, string outstanding)
    {
        var refusal = Payments.Check("USD", dueMinor, paidMinor, "USD", amountMinor).Refusal;

        Assert.Equal(ErrorReason.Overpayment, refusal.Reason);
        Assert.Equal(outstanding, refusal.Metadata["outstanding_minor"]);
    }

    [Fact]
    public void Accepts_RefundOfARefundStatementUpToTheRefundDue()
    {
        var refund = new StatementTotals(1, -40, -5_000_000, -500, 0, 0);

        Assert.Equal(StatementStatus.Open, Payments.StatusOf(refund.SettlementDueMinor, 0));
        Assert.Equal(500, Payments.Check("USD", refund.SettlementDueMinor, 0, "USD", 500).Value);
        Assert.Equal(ErrorReason.Overpayment, Payments.Check("USD", refund.SettlementDueMinor, 0, "USD", 501).Refusal.Reason);
    }

    [Fact]
    public void Rejects_PaymentInAnotherCurrency() =>
        Assert.Equal(ErrorReason.CurrencyMismatch, Payments.Check("USD", 1_000, 0, "EUR", 10).Refusal.Reason);
}
