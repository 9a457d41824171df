using CsCheck;
using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Tests.Properties;

/// <summary>Rates the arbitrage guard accepts never let a member gain by converting A→B→A or A→B→C→A.</summary>
public class RoundTripProperties
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Gen<DateTimeOffset> GenInstant = Gen.Long[-100, 100].Select(s => Epoch.AddSeconds(s));

    private static readonly Gen<(DateTimeOffset? StartsAt, DateTimeOffset? EndsAt)> GenWindow = Gen.Frequency(
        (1, Gen.Const<(DateTimeOffset?, DateTimeOffset?)>((null, null))),
        (2, Gen.Select(GenInstant, Gen.Long[1, 100], (start, seconds) => ((DateTimeOffset?)start, (DateTimeOffset?)start.AddSeconds(seconds)))));

    // Gains hide in the edges: no fee, a step of 1 and no bonus leave rounding as the only guard.
    private static readonly Gen<long> GenIncrement = Gen.Frequency((1, Gen.Const(1L)), (1, Gen.Long[1, 100]));

    private static readonly Gen<long> GenFee = Gen.Frequency((2, Gen.Const(0L)), (1, Gen.Long[0, 100]));

    private static readonly Gen<int> GenBonus = Gen.Frequency((1, Gen.Const(0)), (2, Gen.Int[0, 20_000]));

    private static readonly Gen<ExchangeRateTerms> GenRate =
        Gen.Select(Gen.Long[1, 2_000], Gen.Long[1, 2_000], GenIncrement, Gen.Long[1, 50], Gen.Long[0, 2_000], GenFee, GenBonus, GenWindow)
            .Select((from, to, increment, minSteps, extraSteps, fee, bonus, window) => new ExchangeRateTerms(
                from, to, increment * minSteps, increment * (minSteps + extraSteps), increment, fee, bonus, window.StartsAt, window.EndsAt))
            .Where(rate => ExchangeRateTerms.Validate(rate).Count == 0);

    // Exact inverses (to:from) are the boundary the guard must still accept, so they are drawn often.
    private static readonly Gen<(ExchangeRateTerms Forward, ExchangeRateTerms Backward)> GenGuardedPair =
        Gen.Select(GenRate, GenRate, Gen.Bool)
            .Select((forward, backward, inverse) => (forward, inverse ? backward with { FromPoints = forward.ToPoints, ToPoints = forward.FromPoints } : backward))
            .Where(pair => ExchangeRateTerms.Validate(pair.Item2).Count == 0 && Accepted(pair.Item1, pair.Item2));

    // The way back closes the product of the first two exactly (to₁·to₂ : from₁·from₂) half the time: the boundary.
    private static readonly Gen<ExchangeRateTerms[]> GenGuardedTriangle =
        Gen.Select(GenRate, GenRate, GenRate, Gen.Bool)
            .Select((first, second, third, closing) => new[]
            {
                first,
                second,
                closing ? third with { FromPoints = first.ToPoints * second.ToPoints, ToPoints = first.FromPoints * second.FromPoints } : third,
            })
            .Where(rates => ExchangeRateTerms.Validate(rates[2]).Count == 0 && Accepted(rates));

    [Fact]
    public void GuardedRatePair_RoundTrip_NeverReturnsMoreThanWasDebited()
    {
        Gen.Select(GenGuardedPair, Gen.Long[0, 10_000], GenInstant, GenInstant).Sample(
            (pair, step, forwardAt, backwardAt) =>
            {
                var (forward, backward) = pair;
                var sourcePoints = Math.Min(forward.MinSourcePoints + (step * forward.IncrementPoints), forward.MaxSourcePoints);
                var there = ConversionCalculator.Calculate(forward, sourcePoints, forwardAt).Value;

                var backPoints = LargestValidAmount(backward, there.DestinationPoints);
                if (backPoints is null)
                {
                    return;
                }

                var back = ConversionCalculator.Calculate(backward, backPoints.Value, backwardAt).Value;
                Assert.True(
                    back.DestinationPoints <= there.MemberDebitPoints,
                    $"Debited {there.MemberDebitPoints}, got back {back.DestinationPoints}.");
            },
            iter: 3_000);
    }

    [Fact]
    public void GuardedTriangle_ConvertingRound_NeverReturnsMoreThanWasDebited()
    {
        Gen.Select(GenGuardedTriangle, Gen.Long[0, 10_000], GenInstant).Sample(
            (rates, step, at) =>
            {
                var first = rates[0];
                var sourcePoints = Math.Min(first.MinSourcePoints + (step * first.IncrementPoints), first.MaxSourcePoints);
                var leg = ConversionCalculator.Calculate(first, sourcePoints, at).Value;
                var debited = leg.MemberDebitPoints;
                foreach (var next in rates.Skip(1))
                {
                    if (LargestValidAmount(next, leg.DestinationPoints) is not { } amount)
                    {
                        return;
                    }
                    leg = ConversionCalculator.Calculate(next, amount, at).Value;
                }
                Assert.True(leg.DestinationPoints <= debited, $"Debited {debited}, got back {leg.DestinationPoints}.");
            },
            iter: 3_000);
    }

    /// <summary>Whether the guard lets the rates form a cycle A→B(→C)→A, the first rate set last.</summary>
    private static bool Accepted(params ExchangeRateTerms[] cycle)
    {
        string[] programs = ["A", "B", "C"];
        var network = cycle.Skip(1).Select((rate, i) => new RateEdge(programs[i + 1], i == cycle.Length - 2 ? "A" : programs[i + 2], rate));
        return Arbitrage.GainingCycle(new RateEdge("A", "B", cycle[0]), network) is null;
    }

    /// <summary>The largest amount the rate accepts that is at most <paramref name="available"/>, if any.</summary>
    private static long? LargestValidAmount(ExchangeRateTerms rate, long available)
    {
        var capped = Math.Min(available, rate.MaxSourcePoints);
        var aligned = capped - (capped % rate.IncrementPoints);
        return aligned >= rate.MinSourcePoints ? aligned : null;
    }
}
