using CsCheck;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Tests.Properties;

/// <summary>Every posting list the rules produce conserves points, and a reversal undoes it exactly.</summary>
public class ConservationProperties
{
    private const long Iterations = 2_000;

    private static readonly Gen<string> GenProgram = Gen.OneOf("AIR", "HOTEL", "SHOP");

    private static readonly Gen<string> GenMember = Gen.OneOf("m1", "m2", "m3");

    private static readonly Gen<long> GenPoints = Gen.Frequency(
        (4, Gen.Long[1, 1_000_000]),
        (1, Gen.Long[1, long.MaxValue]),
        (1, Gen.Long[long.MaxValue - 10, long.MaxValue]));

    private static readonly Gen<ConversionTerms> GenConversionTerms =
        Gen.Select(Gen.Long[1, ExchangeRateTerms.MaxSourcePointsLimit], Gen.Long[0, ExchangeRateTerms.MaxMemberFeePoints], GenPoints, Gen.Bool)
            .Select((source, fee, destination, nothingReceived) =>
            {
                var received = nothingReceived ? 0 : destination;
                return new ConversionTerms(source, fee, source + fee, received, 0, received);
            });

    private static readonly Gen<IReadOnlyList<PostingLine>> GenTransaction = Gen.OneOf(
        Gen.Select(GenProgram, GenMember, GenPoints, PostingRules.Accrual),
        Gen.Select(GenProgram, GenMember, GenPoints, PostingRules.Redemption),
        Gen.Select(GenProgram, GenMember, GenProgram, GenMember, GenConversionTerms, PostingRules.Conversion));

    [Fact]
    public void AnyTransaction_IsBalancedPerProgram()
    {
        GenTransaction.Sample(lines => Assert.True(PostingRules.IsBalanced(lines)), iter: Iterations);
    }

    [Fact]
    public void AnyTransaction_HasNoZeroLines()
    {
        GenTransaction.Sample(lines => Assert.DoesNotContain(lines, l => l.AmountPoints == 0), iter: Iterations);
    }

    [Fact]
    public void AnyReversal_IsBalancedAndCancelsTheOriginalPerAccount()
    {
        GenTransaction.Sample(
            original =>
            {
                var reversal = PostingRules.Reversal(original);

                Assert.True(PostingRules.IsBalanced(reversal));
                var netByAccount = original.Concat(reversal)
                    .GroupBy(l => l.Account)
                    .Select(g => g.Aggregate(Int128.Zero, (sum, l) => sum + l.AmountPoints));
                Assert.All(netByAccount, net => Assert.Equal(Int128.Zero, net));
            },
            iter: Iterations);
    }
}
