using System.Numerics;

namespace PartnerExchange.Domain.Rates;

/// <summary>One directed rate of the network: its source program, its destination program and its terms.</summary>
public sealed record RateEdge(string FromProgramCode, string ToProgramCode, ExchangeRateTerms Terms);

/// <summary>
/// Guards the network against rates that would let a member mint points by converting round a cycle of
/// programs (A→B→A, or A→B→C→A, or longer).
/// </summary>
/// <remarks>
/// A conversion along a rate multiplies an amount by at most its <em>gain</em>,
/// <c>to × (10 000 + bps) ÷ (from × 10 000)</c>, before rounding down; every rounding is down, so a chain of
/// conversions returns at most the product of its gains. A cycle whose product is at most 1 can never
/// return more than it took. Each rate's bonus counts as always active (windows change over time; the
/// guard must hold for all of them), and fees are ignored: they only make a cycle dearer. Products are exact
/// fractions of <see cref="BigInteger"/>, so no length of cycle or size of term can overflow or round.
/// </remarks>
public static class Arbitrage
{
    /// <summary>
    /// The cycle through <paramref name="proposed"/> along which an amount could grow, as program codes from
    /// the proposed rate's source back to it (<c>[A, B, C, A]</c>), or null when no cycle through it gains.
    /// </summary>
    /// <param name="proposed">The rate about to be added.</param>
    /// <param name="network">
    /// The network's other rates that can be in effect now or later; several rates between the same two
    /// programs (versions) may all be given, and the best of them counts.
    /// </param>
    public static IReadOnlyList<string>? GainingCycle(RateEdge proposed, IEnumerable<RateEdge> network)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentNullException.ThrowIfNull(network);
        var best = BestGainsFrom(proposed.ToProgramCode, proposed.FromProgramCode, network);
        if (!best.TryGetValue(proposed.FromProgramCode, out var wayBack))
        {
            return null;
        }
        return wayBack.Gain.Times(Gain.Of(proposed.Terms)).ExceedsOne ? CycleThrough(proposed, best) : null;
    }

    /// <summary>
    /// The best gain of any chain of rates from <paramref name="start"/> to each program it reaches, with the
    /// program each best chain came from. Chains do not continue past <paramref name="end"/>: a cycle through
    /// the proposed rate leaves its source only by that rate.
    /// </summary>
    /// <remarks>
    /// Bellman–Ford over the max-product semiring: in a network with no gaining cycle (what this guard keeps)
    /// the best chains are simple, so rounds up to the number of programs suffice; it stops at the first round
    /// that improves nothing.
    /// </remarks>
    private static Dictionary<string, (Gain Gain, string? Previous)> BestGainsFrom(string start, string end, IEnumerable<RateEdge> network)
    {
        // Only the best version between two programs can make a best chain.
        var edges = new Dictionary<(string From, string To), Gain>();
        foreach (var edge in network)
        {
            if (edge.FromProgramCode == end || edge.FromProgramCode == edge.ToProgramCode)
            {
                continue;
            }
            var gain = Gain.Of(edge.Terms);
            var pair = (edge.FromProgramCode, edge.ToProgramCode);
            if (!edges.TryGetValue(pair, out var known) || gain.Exceeds(known))
            {
                edges[pair] = gain;
            }
        }
        var best = new Dictionary<string, (Gain Gain, string? Previous)>(StringComparer.Ordinal) { [start] = (Gain.One, null) };
        var programs = edges.Keys.SelectMany(p => new[] { p.From, p.To }).Append(start).Distinct().Count();
        for (var round = 1; round < programs; round++)
        {
            var improved = false;
            foreach (var ((from, to), gain) in edges)
            {
                if (best.TryGetValue(from, out var reached) && to != start)
                {
                    var candidate = reached.Gain.Times(gain);
                    if (!best.TryGetValue(to, out var current) || candidate.Exceeds(current.Gain))
                    {
                        best[to] = (candidate, from);
                        improved = true;
                    }
                }
            }
            if (!improved)
            {
                break;
            }
        }
        return best;
    }

    /// <summary>The gaining cycle for the refusal's message: source, destination, then the best chain back.</summary>
    private static List<string> CycleThrough(RateEdge proposed, Dictionary<string, (Gain Gain, string? Previous)> best)
    {
        var wayBack = new List<string>();
        // The chain back is simple in a network this guard kept; the bound only stops a walk round a gaining
        // cycle that an older, unguarded network may hold.
        for (var program = proposed.FromProgramCode; program is not null && wayBack.Count <= best.Count; program = best[program].Previous)
        {
            wayBack.Add(program);
        }
        wayBack.Reverse();
        return [proposed.FromProgramCode, .. wayBack];
    }

    /// <summary>An exact positive fraction: what a chain of conversions multiplies an amount by, at most.</summary>
    private readonly record struct Gain(BigInteger Numerator, BigInteger Denominator)
    {
        public static Gain One => new(BigInteger.One, BigInteger.One);

        // A negative bonus is invalid and never applied by the calculator, so it cannot lower the bound.
        public static Gain Of(ExchangeRateTerms terms)
        {
            BigInteger whole = ExchangeRateTerms.BasisPointsPerWhole;
            return new Gain(
                new BigInteger(terms.ToPoints) * (whole + Math.Max(terms.BonusBasisPoints, 0)),
                new BigInteger(terms.FromPoints) * whole).Reduced();
        }

        public bool ExceedsOne => Numerator > Denominator;

        public bool Exceeds(Gain other) => Numerator * other.Denominator > other.Numerator * Denominator;

        public Gain Times(Gain other) => new Gain(Numerator * other.Numerator, Denominator * other.Denominator).Reduced();

        private Gain Reduced()
        {
            var divisor = BigInteger.GreatestCommonDivisor(Numerator, Denominator);
            return divisor.IsOne || divisor.IsZero ? this : new Gain(Numerator / divisor, Denominator / divisor);
        }
    }
}
