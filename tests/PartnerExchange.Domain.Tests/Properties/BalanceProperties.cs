using CsCheck;
using PartnerExchange.Domain.Ledger;

namespace PartnerExchange.Domain.Tests.Properties;

/// <summary>Member balances driven through BalanceRules never go negative, and refusals happen exactly when they would.</summary>
public class BalanceProperties
{
    /// <summary>A posting: a fixed amount, or one relative to the balance at the time (to hit exactly zero and minus one).</summary>
    private readonly record struct Step(bool RelativeToBalance, long Amount)
    {
        public long AmountFor(long balance) => RelativeToBalance ? -balance + Amount : Amount;
    }

    private static readonly Gen<Step> GenStep = Gen.Frequency(
        (6, Gen.Long[-2_000, 2_000].Select(a => new Step(false, a))),
        (1, Gen.Long[-1_000_000_000, 1_000_000_000].Select(a => new Step(false, a))),
        (1, Gen.OneOf(long.MinValue, long.MaxValue, -long.MaxValue, 0L).Select(a => new Step(false, a))),
        (2, Gen.Long[-1, 1].Select(d => new Step(true, d))));

    private static readonly Gen<long> GenOpeningBalance = Gen.Frequency(
        (4, Gen.Long[0, 10_000]),
        (1, Gen.Long[long.MaxValue - 1_000, long.MaxValue]));

    [Fact]
    public void MemberBalance_AnySequenceOfPostings_NeverNegativeAndRefusesExactlyWhenItWould()
    {
        Gen.Select(GenOpeningBalance, GenStep.Array[1, 50]).Sample(
            (opening, steps) =>
            {
                var balance = opening;
                foreach (var step in steps)
                {
                    var amount = step.AmountFor(balance);
                    var wouldBe = (Int128)balance + amount;
                    var outcome = BalanceRules.Apply(AccountKind.Member, balance, amount);

                    if (wouldBe < 0)
                    {
                        Assert.Equal(ErrorReason.InsufficientPoints, outcome.Refusal.Reason);
                    }
                    else if (wouldBe > long.MaxValue)
                    {
                        Assert.Equal(ErrorReason.BalanceOverflow, outcome.Refusal.Reason);
                    }
                    else
                    {
                        Assert.Equal((long)wouldBe, outcome.Value);
                        balance = outcome.Value;
                    }

                    Assert.True(balance >= 0);
                }
            },
            iter: 2_000);
    }
}
