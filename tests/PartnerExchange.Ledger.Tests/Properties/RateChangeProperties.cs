using CsCheck;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Properties.Network;

namespace PartnerExchange.Ledger.Tests.Properties;

/// <summary>One step of a random rate scenario, in program indexes.</summary>
internal abstract record RateStep;

/// <summary>An operator sets a version of a direction, effective now or some minutes later, maybe switched off.</summary>
internal sealed record SetRateStep(int From, int To, long FromPoints, long ToPoints, int BonusBasisPoints, int EffectiveInMinutes, bool Enabled)
    : RateStep;

/// <summary>A partner asks for a quote: the version in effect now is locked, as the server's Quote does.</summary>
internal sealed record QuoteStep(int From, int To) : RateStep;

/// <summary>Time passes: later versions take effect, quotes run out.</summary>
internal sealed record WaitStep(int Minutes) : RateStep;

/// <summary>
/// Random interleavings of SetExchangeRate, Quote and Convert over the real ledger. A quote reaches the ledger
/// as the <see cref="RateLock"/> of a <see cref="ConvertPoints"/>, so that is where quotes are modelled. After
/// every step each direction is converted along with no quote and with every live quote, and: no cycle of
/// programs may be convertible round at a product of gains above 1, a direction switched off converts
/// nothing, and a quote is honoured exactly while the version it locked is the one in effect.
/// </summary>
[Trait("Category", TestEngine.ContractCategory)]
public sealed class RateChangeProperties
{
    private const int StepsPerScenario = 30;
    private const long Scenarios = 40;
    private const long OpeningPoints = 1_000_000_000;

    /// <summary>A multiple of every generated from_points (1–5), so every probe fits every increment.</summary>
    private const long ProbePoints = 60;

    private static readonly TimeSpan QuoteLifetime = TimeSpan.FromMinutes(10);

    private static readonly Gen<(int From, int To)> GenDirection =
        Gen.Select(Gen.Int[0, 2], Gen.Int[1, 2], (from, offset) => (from, (from + offset) % 3));

    private static readonly Gen<(long From, long To, int Bonus)> GenRatio = Gen.Select(
        Gen.Long[1, 5], Gen.Long[1, 5], Gen.Frequency((3, Gen.Const(0)), (1, Gen.Const(2_000))), (from, to, bonus) => (from, to, bonus));

    // Mostly effective at once; now and then a few minutes ahead. Mostly enabled.
    private static readonly Gen<int> GenEffectiveInMinutes = Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 6]));

    private static readonly Gen<RateStep> GenStep = Gen.Frequency(
        (4, Gen.Select(GenDirection, GenRatio, GenEffectiveInMinutes, Gen.Int[0, 5],
            (d, r, effectiveIn, enabled) => (RateStep)new SetRateStep(d.From, d.To, r.From, r.To, r.Bonus, effectiveIn, enabled != 0))),
        (3, GenDirection.Select(d => (RateStep)new QuoteStep(d.From, d.To))),
        (1, Gen.Int[1, 6].Select(minutes => (RateStep)new WaitStep(minutes))));

    private static readonly Gen<RateStep[]> GenScenario = GenStep.Array[StepsPerScenario];

    [Fact]
    public async Task RateChangesQuotesAndConversions_NeverLetACycleGainNorADisabledDirectionConvert()
    {
        await GenScenario.SampleAsync(
            async steps =>
            {
                await using var ledger = await LedgerHarness.StartAsync(o => o.DurableCommits = false);
                var network = new RateNetwork(ledger);
                await network.SeedAsync();
                foreach (var step in steps)
                {
                    await network.ApplyAsync(step);
                    await network.ProbeAsync(step);
                }
                Assert.Empty(ledger.Log.UnexpectedErrors());
            },
            iter: Scenarios,
            threads: 4);
    }

    /// <summary>Three programs, one member in each, the versions the operator set and the live quotes.</summary>
    private sealed class RateNetwork(LedgerHarness ledger)
    {
        private const string Holder = "m";

        private readonly List<SetVersion> _versions = [];
        private readonly List<Quote> _quotes = [];

        public async Task SeedAsync()
        {
            for (var p = 0; p < Programs.Length; p++)
            {
                await ledger.CreatePartnerAsync(Programs[p], Prices[p].Currency, Prices[p].PointPriceMicros);
                await ledger.EnrollAsync(Programs[p], Holder);
                await ledger.AccrueAsync(Programs[p], Holder, OpeningPoints);
            }
        }

        public async Task ApplyAsync(RateStep step)
        {
            var now = ledger.Clock.GetUtcNow();
            switch (step)
            {
                case SetRateStep s:
                    await SetRateAsync(s, now);
                    break;
                case QuoteStep q:
                    var rate = await ledger.FindActiveRateAsync(Programs[q.From], Programs[q.To], now);
                    if (rate is not null)
                    {
                        _quotes.Add(new Quote(q.From, q.To, new RateLock(rate.RateId, now, now + QuoteLifetime)));
                    }
                    break;
                case WaitStep w:
                    ledger.Clock.Advance(TimeSpan.FromMinutes(w.Minutes));
                    break;
            }
        }

        /// <summary>
        /// Converts along every direction with no quote and with each live quote, checks each answer against the
        /// rule, then checks that no cycle of the versions the ledger just used gains.
        /// </summary>
        public async Task ProbeAsync(RateStep after)
        {
            var now = ledger.Clock.GetUtcNow();
            _quotes.RemoveAll(q => now >= q.Lock.ExpiresAt);
            var probes = new List<Probe>();
            for (var from = 0; from < Programs.Length; from++)
            {
                for (var to = 0; to < Programs.Length; to++)
                {
                    if (from != to)
                    {
                        var (f, t) = (from, to);
                        probes.Add(Send(f, t, null));
                        probes.AddRange(_quotes.Where(q => q.From == f && q.To == t).Select(q => Send(f, t, q.Lock)));
                    }
                }
            }
            var used = new Dictionary<(int From, int To), Gain>();
            foreach (var probe in probes)
            {
                var response = await probe.Response;
                var rateId = await CheckAnswerAsync(probe, response, now, after);
                if (rateId is { } id)
                {
                    var gain = await GainOfAsync(id);
                    var direction = (probe.From, probe.To);
                    if (!used.TryGetValue(direction, out var best) || gain.Exceeds(best))
                    {
                        used[direction] = gain;
                    }
                }
            }
            AssertNoCycleGains(used, after);
        }

        private async Task SetRateAsync(SetRateStep s, DateTimeOffset now)
        {
            // min = increment = from_points, and max a multiple of every from_points: always valid terms.
            var terms = new ExchangeRateTerms(s.FromPoints, s.ToPoints, s.FromPoints, ProbePoints * 10_000, s.FromPoints, 0,
                s.BonusBasisPoints, null, null);
            var effectiveAt = now + TimeSpan.FromMinutes(s.EffectiveInMinutes);
            var response = await ledger.ResponseAsync(IdempotencyScope.OperatorPrincipal,
                new SetExchangeRate(Programs[s.From], Programs[s.To], terms, effectiveAt, s.Enabled));
            if (response.IsRefusal)
            {
                Assert.Equal(ErrorReason.RateAllowsArbitrage, Responses.ReasonOf(response));
                return;
            }
            var id = await ledger.ScalarAsync("SELECT MAX(id) FROM exchange_rates");
            _versions.Add(new SetVersion(s.From, s.To, id, effectiveAt, s.Enabled));
        }

        private Probe Send(int from, int to, RateLock? rateLock) =>
            new(from, to, rateLock, ledger.Submit(Programs[from],
                new ConvertPoints(Programs[from], Holder, Programs[to], Holder, ProbePoints, rateLock, "probe")));

        /// <summary>
        /// The rule: a conversion uses the direction's version in effect (the latest by effective time, then by
        /// order of setting), refused as RATE_NOT_CONFIGURED when that is switched off or missing; a quote is
        /// honoured only while it locked that very version, else QUOTE_EXPIRED. Returns the rate id used.
        /// </summary>
        private async Task<long?> CheckAnswerAsync(Probe probe, Outcome<WriteReceipt> outcome, DateTimeOffset now, RateStep after)
        {
            Assert.True(outcome.IsSuccess, $"The writer refused a probe: {outcome}");
            var response = outcome.Value.Response;
            var inEffect = _versions.Where(v => v.From == probe.From && v.To == probe.To && v.EffectiveAt <= now)
                .OrderBy(v => v.EffectiveAt).ThenBy(v => v.RateId).LastOrDefault();
            ErrorReason? expected = inEffect is not { Enabled: true } ? ErrorReason.RateNotConfigured
                : probe.Lock is { } locked && locked.RateId != inEffect.RateId ? ErrorReason.QuoteExpired
                : null;
            var what = $"After {after}, {Programs[probe.From]}→{Programs[probe.To]} with lock {probe.Lock?.RateId.ToString() ?? "none"}";
            if (expected is { } reason)
            {
                Assert.True(response.IsRefusal, $"{what}: expected {ErrorReasons.Code(reason)}, the conversion was accepted.");
                Assert.Equal(reason, Responses.ReasonOf(response));
                return null;
            }
            Assert.False(response.IsRefusal, $"{what}: expected acceptance, got {Responses.Text(response)}.");
            var rateId = await ledger.ScalarAsync("SELECT rate_id FROM transactions WHERE sequence = $s", ("$s", Responses.SequenceOf(response)));
            Assert.Equal(inEffect!.RateId, rateId);
            return rateId;
        }

        private async Task<Gain> GainOfAsync(long rateId)
        {
            var ratio = await ledger.QueryAsync(
                "SELECT from_points, to_points, bonus_basis_points FROM exchange_rates WHERE id = " + rateId,
                r => (From: r.GetInt64(0), To: r.GetInt64(1), Bonus: r.GetInt64(2)));
            var (from, to, bonus) = Assert.Single(ratio);
            return new Gain(to * (ExchangeRateTerms.BasisPointsPerWhole + bonus), from * ExchangeRateTerms.BasisPointsPerWhole);
        }

        /// <summary>Every cycle of the three programs (A→B→A and both ways round A→B→C→A) along the versions used.</summary>
        private static void AssertNoCycleGains(Dictionary<(int From, int To), Gain> used, RateStep after)
        {
            int[][] cycles = [[0, 1], [0, 2], [1, 2], [0, 1, 2], [0, 2, 1]];
            foreach (var cycle in cycles)
            {
                var product = new Gain(1, 1);
                var complete = true;
                for (var i = 0; i < cycle.Length && complete; i++)
                {
                    complete = used.TryGetValue((cycle[i], cycle[(i + 1) % cycle.Length]), out var leg);
                    product = complete ? product.Times(leg) : product;
                }
                Assert.False(complete && product.Exceeds(new Gain(1, 1)),
                    $"After {after}, converting round {string.Join(" → ", cycle.Append(cycle[0]).Select(p => Programs[p]))} " +
                    $"multiplies points by {product.Numerator}/{product.Denominator}.");
            }
        }

        private sealed record SetVersion(int From, int To, long RateId, DateTimeOffset EffectiveAt, bool Enabled);

        private sealed record Quote(int From, int To, RateLock Lock);

        private sealed record Probe(int From, int To, RateLock? Lock, Task<Outcome<WriteReceipt>> Response);
    }

    /// <summary>What a conversion multiplies points by at most: an exact fraction (small terms, so long suffices).</summary>
    private readonly record struct Gain(long Numerator, long Denominator)
    {
        public bool Exceeds(Gain other) => Numerator * other.Denominator > other.Numerator * Denominator;

        public Gain Times(Gain other) => new(Numerator * other.Numerator, Denominator * other.Denominator);
    }
}
