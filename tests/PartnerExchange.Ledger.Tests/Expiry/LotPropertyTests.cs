using CsCheck;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Infrastructure.LedgerHarness;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>One step of a random lot scenario; members and transactions are picked by index.</summary>
internal abstract record LotStep;

internal sealed record AccrueStep(int Member, long Points) : LotStep;

internal sealed record RedeemStep(int Member, long Points) : LotStep;

internal sealed record ConvertStep(int Member, int ToMember, long SourcePoints) : LotStep;

internal sealed record ReverseStep(int Pick) : LotStep;

internal sealed record AdvanceStep(int Days) : LotStep;

/// <summary>A new expiry policy for AIR (SHOP keeps 2 months of inactivity, so its warnings stay comparable).</summary>
internal sealed record PolicyStep(int Kind, int Months) : LotStep;

internal sealed record ExpireStep(int Budget, bool DryRun, bool Warn) : LotStep;

/// <summary>
/// Random accruals, redemptions, conversions, reversals, clock moves, policy changes and expiry batches (some
/// dry, some with warnings) on two programs, AIR starting with a 2-month lot lifetime and SHOP with 2 months
/// of inactivity: after every step each account's lots, balance and expiring points equal
/// <see cref="LotModel"/>'s, every batch reports what the model expires, warnings are never stale nor
/// repeated, and the audit stays clean.
/// </summary>
[Trait("Category", TestEngine.ContractCategory)]
public sealed class LotPropertyTests
{
    private const int StepsPerScenario = 40;

    // Members 0–1 are AIR's, 2–3 SHOP's.
    private static readonly (string Program, string Member)[] Members = [(Air, "a0"), (Air, "a1"), (Shop, "s0"), (Shop, "s1")];

    private static Dictionary<string, ProgramRules> StartingRules() => new(StringComparer.Ordinal)
    {
        [Air] = new ProgramRules(LotMonths: 2, InactivityMonths: null),
        [Shop] = new ProgramRules(LotMonths: null, InactivityMonths: 2),
    };

    private static readonly int[] ExpiringHorizons = [30, 60, 90];

    private static readonly Gen<int> GenMember = Gen.Int[0, 3];

    private static readonly Gen<LotStep> GenStep = Gen.Frequency(
        (5, Gen.Select(GenMember, Gen.Long[1, 300], (m, p) => (LotStep)new AccrueStep(m, p))),
        (3, Gen.Select(GenMember, Gen.Long[1, 300], (m, p) => (LotStep)new RedeemStep(m, p))),
        (3, Gen.Select(GenMember, Gen.Int[0, 1], Gen.Long[1, 150], (m, to, p) => (LotStep)new ConvertStep(m, to, p * 2))),
        (3, Gen.Int[0, 1_000].Select(pick => (LotStep)new ReverseStep(pick))),
        (3, Gen.Int[1, 25].Select(days => (LotStep)new AdvanceStep(days))),
        (1, Gen.Select(Gen.Int[0, 2], Gen.Int[1, 3], (kind, months) => (LotStep)new PolicyStep(kind, months))),
        (3, Gen.Select(Gen.Int[1, 4], Gen.Int[0, 3], Gen.Bool, (budget, dry, warn) => (LotStep)new ExpireStep(budget, dry == 0, warn))));

    private static readonly Gen<LotStep[]> GenScenario = GenStep.Array[StepsPerScenario];

    [Fact]
    public async Task RandomStepsWithExpiry_LotsBalancesAndBatchesMatchTheModel()
    {
        await GenScenario.SampleAsync(RunScenarioAsync, iter: 25, threads: 4);
    }

    private static async Task RunScenarioAsync(LotStep[] steps)
    {
        await using var ledger = await LedgerHarness.StartAsync();
        var model = await SeedAsync(ledger);
        for (var i = 0; i < steps.Length; i++)
        {
            var description = $"step {i} {steps[i]} of [{string.Join(", ", steps.Take(i + 1))}]";
            await RunStepAsync(ledger, model, steps[i], description);
            await AssertMatchesAsync(ledger, model, description);
        }
        // Catching up completely leaves nothing expired behind, and a re-run finds nothing.
        var final = model.Expire(ledger.Now(), ExpiryLedger.LargeBudget, dryRun: false);
        var batch = await ledger.ExpireAsync(ledger.Now(), horizons: []);
        Assert.Equal((final.Points, final.Accounts), (batch.ExpiredPoints, batch.ExpiredAccounts));
        Assert.Equal(new ExpiryBatchResult(0, 0, 0, false), await ledger.ExpireAsync(ledger.Now(), horizons: []));
        await AssertMatchesAsync(ledger, model, "after the final run");
        await ledger.AssertAuditCleanAsync();
        await ledger.DisposeWriterAsync();
        Assert.Empty(ledger.Log.UnexpectedErrors());
    }

    private static async Task<LotModel> SeedAsync(LedgerHarness ledger)
    {
        await ledger.CreatePartnerWithPolicyAsync(Air, new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, 2));
        await ledger.CreatePartnerWithPolicyAsync(Shop, new ExpiryPolicy(ExpiryPolicyKind.Inactivity, 2));
        await ledger.SetRateAsync(Air, Shop, new ExchangeRateTerms(2, 1, 2, 1_000_000, 2, 0, 0, null, null));
        await ledger.SetRateAsync(Shop, Air, new ExchangeRateTerms(2, 1, 2, 1_000_000, 2, 0, 0, null, null));
        var model = new LotModel(StartingRules());
        foreach (var (program, member) in Members)
        {
            await ledger.EnrollAsync(program, member);
            var id = await ledger.ScalarAsync(
                "SELECT id FROM accounts WHERE program_code = $p AND member_number = $m AND kind = 1", ("$p", program), ("$m", member));
            model.Enroll(program, member, id, ledger.Now());
        }
        return model;
    }

    private static async Task RunStepAsync(LedgerHarness ledger, LotModel model, LotStep step, string description)
    {
        var now = ledger.Now();
        switch (step)
        {
            case AdvanceStep advance:
                ledger.Clock.Advance(TimeSpan.FromDays(advance.Days));
                return;
            case PolicyStep change:
                var policy = change.Kind switch
                {
                    0 => ExpiryPolicy.Never,
                    1 => new ExpiryPolicy(ExpiryPolicyKind.LotLifetime, change.Months),
                    _ => new ExpiryPolicy(ExpiryPolicyKind.Inactivity, change.Months),
                };
                await ledger.SetPolicyAsync(Air, policy);
                model.SetRules(Air, new ProgramRules(
                    change.Kind == 1 ? change.Months : null, change.Kind == 2 ? change.Months : null), now);
                return;
            case ExpireStep expire:
                if (expire.DryRun)
                {
                    // The server's dry run, a forecast read in slices and never written, says what the writer's own
                    // rolled-back run over every account does.
                    var horizons = expire.Warn ? ExpiryLedger.Horizons : [];
                    var whole = await ledger.ExpireAsync(now, int.MaxValue, dryRun: true, horizons: horizons);
                    var forecast = await ledger.ForecastAsync(now, accountIdsPerSlice: expire.Budget, horizons);
                    Assert.True(whole == forecast, $"{description}: the writer's dry run gave {whole}, the forecast {forecast}.");
                    // And as of a moment to come, where the horizons start at that moment rather than now.
                    var later = now.AddDays(40);
                    whole = await ledger.ExpireAsync(later, int.MaxValue, dryRun: true, horizons: horizons);
                    forecast = await ledger.ForecastAsync(later, accountIdsPerSlice: expire.Budget, horizons);
                    Assert.True(whole == forecast, $"{description}: as of {later:O} the writer's dry run gave {whole}, the forecast {forecast}.");
                }
                var cursors = (await CursorAsync(ledger, Air), await CursorAsync(ledger, Shop));
                var expected = model.Expire(now, expire.Budget, expire.DryRun);
                var actual = await ledger.ExpireAsync(now, expire.Budget, expire.DryRun, horizons: expire.Warn ? ExpiryLedger.Horizons : []);
                // Warnings come after expiries and share the budget; the model leaves them to the invariants below.
                expected = expected with { Full = expire.Budget - expected.Accounts - actual.Warnings <= 0 };
                Assert.True(expected == (actual.ExpiredPoints, actual.ExpiredAccounts, actual.Full), $"{description}: expected {expected}, got {actual}.");
                await AssertWarningsAsync(ledger, cursors, expire.DryRun ? 0 : actual.Warnings, description);
                foreach (var tx in model.Transactions.Where(t => t.Kind == TransactionKind.Expiry && t.TransactionId is null))
                {
                    tx.TransactionId = await ledger.TransactionIdAsync(tx.Sequence);
                }
                return;
            default:
                var (expectedTx, submit) = Plan(ledger, model, step, now);
                var response = await submit();
                Assert.True(expectedTx is null == response.IsRefusal,
                    $"{description}: expected {(expectedTx is null ? "a refusal" : "success")}, got {Responses.Text(response)}.");
                if (expectedTx is not null)
                {
                    Assert.Equal(expectedTx.Sequence, Responses.SequenceOf(response));
                    expectedTx.TransactionId = Responses.TransactionIdOf(response);
                }
                return;
        }
    }

    /// <summary>Applies a movement to the model (null when it should be refused) and says how to ask the ledger for it.</summary>
    private static (ModelTransaction? Expected, Func<Task<StoredResponse>> Submit) Plan(
        LedgerHarness ledger, LotModel model, LotStep step, DateTimeOffset now)
    {
        switch (step)
        {
            case AccrueStep a:
                var (program, member) = Members[a.Member];
                return (model.Accrue(program, member, a.Points, now), () => ledger.ResponseAsync(program, ledger.AccrueCommand(program, member, a.Points)));
            case RedeemStep r:
                (program, member) = Members[r.Member];
                return (model.Redeem(program, member, r.Points, now), () => ledger.ResponseAsync(program, new Redeem(program, member, r.Points, "redeem")));
            case ConvertStep c:
                (program, member) = Members[c.Member];
                var (toProgram, toMember) = Members[(program == Air ? 2 : 0) + c.ToMember];
                return (model.Convert(program, member, toProgram, toMember, c.SourcePoints, now),
                    () => ledger.ResponseAsync(program, new ConvertPoints(program, member, toProgram, toMember, c.SourcePoints, null, "convert")));
            case ReverseStep v when model.Transactions.Count > 0:
                var original = model.Transactions[v.Pick % model.Transactions.Count];
                return (model.Reverse(original, now),
                    () => ledger.ResponseAsync(original.Requester, new Reverse(original.Requester, original.TransactionId!, "reverse")));
            case ReverseStep:
                // Nothing to reverse yet: an accrual of one point instead keeps the step useful.
                return Plan(ledger, model, new AccrueStep(0, 1), now);
            default:
                throw new InvalidOperationException($"Not a movement: {step}.");
        }
    }

    private static Task<long> CursorAsync(LedgerHarness ledger, string program) => ledger.LatestCursorAsync(program);

    /// <summary>
    /// The warnings one run emitted: as many as it reported, each for points that expire within its horizon and
    /// beyond the next shorter one (a shorter horizon goes first and covers the longer ones, so a 30-day warning
    /// about points 7 days away would be stale), and never an inactivity period warned twice at one horizon.
    /// </summary>
    private static async Task AssertWarningsAsync(LedgerHarness ledger, (long Air, long Shop) cursors, long count, string description)
    {
        var warnings = (await ledger.EventsAfterAsync(Air, cursors.Air, 1_000))
            .Concat(await ledger.EventsAfterAsync(Shop, cursors.Shop, 1_000))
            .Where(e => e.Kind == EventKind.ExpiryWarning).ToList();
        Assert.True(count == warnings.Count, $"{description}: reported {count} warnings, emitted {warnings.Count}.");
        foreach (var warning in warnings)
        {
            var (shorter, longer) = warning.WarningDays == 7 ? (0, 7) : (7, 30);
            Assert.True(warning.Points > 0 && warning.ExpiresAt > warning.OccurredAt.AddDays(shorter) && warning.ExpiresAt <= warning.OccurredAt.AddDays(longer),
                $"{description}: stale or empty warning {warning}.");
        }
        var inactivity = (await ledger.EventsAsync(Shop, EventKind.ExpiryWarning)).Select(w => (w.MemberNumber, w.WarningDays, w.ExpiresAt)).ToList();
        Assert.True(inactivity.Count == inactivity.Distinct().Count(), $"{description}: an inactivity period was warned twice: {string.Join(", ", inactivity)}.");
    }

    private static async Task AssertMatchesAsync(LedgerHarness ledger, LotModel model, string description)
    {
        foreach (var account in model.Accounts)
        {
            var lots = (await ledger.LotsAsync(account.Program, account.Member))
                .Select(l => (l.Sequence, l.ExpiresAt, l.OriginalPoints, l.RemainingPoints)).ToList();
            var expected = model.Lots.Where(l => l.Account == account).Select(l => (l.Sequence, l.ExpiresAt, l.Original, l.Remaining)).ToList();
            Assert.True(expected.SequenceEqual(lots),
                $"{description}: {account.Program}/{account.Member} lots expected [{string.Join(", ", expected)}], got [{string.Join(", ", lots)}].");
            Assert.Equal(account.Balance, await ledger.BalanceAsync(account.Program, account.Member));
            var expiring = await new ExpiryQueries(ledger.Database).ExpiringAsync(account.Program, account.Member, ledger.Now(), ExpiringHorizons, default);
            var expectedExpiring = ExpectedExpiring(model, account, ledger.Now());
            Assert.True(expectedExpiring.SequenceEqual(expiring!),
                $"{description}: {account.Program}/{account.Member} expiring expected [{string.Join(", ", expectedExpiring)}], got [{string.Join(", ", expiring!)}].");
            var lastMovement = (await ledger.EventsAsync(account.Program)).LastOrDefault(e => e.MemberNumber == account.Member && e.TransactionId is not null);
            Assert.Equal(account.Balance, lastMovement?.BalancePoints ?? 0);
        }
    }

    /// <summary>
    /// What the model says expires within each horizon: under inactivity the whole balance once the horizon
    /// reaches the deadline, otherwise the dated lots (overdue ones included) that expire within it.
    /// </summary>
    private static List<ExpiringPoints> ExpectedExpiring(LotModel model, ModelAccount account, DateTimeOffset now)
    {
        var lots = model.Lots.Where(l => l.Account == account && l.Remaining > 0 && l.ExpiresAt is not null).OrderBy(l => l.ExpiresAt).ToList();
        var rules = model.RulesOf(account.Program);
        var deadline = model.InactivityDeadline(account);
        if (rules.LotMonths is null && lots.All(l => l.ExpiresAt > now.AddDays(ExpiringHorizons[^1])) && (deadline is null || account.Balance == 0))
        {
            return [];
        }
        return ExpiringHorizons.Select(days =>
        {
            var within = lots.Where(l => l.ExpiresAt <= now.AddDays(days)).ToList();
            var first = within.Count > 0 ? within[0].ExpiresAt : null;
            return deadline is { } whole && account.Balance > 0 && whole <= now.AddDays(days)
                ? new ExpiringPoints(days, account.Balance, first is { } lot && lot < whole ? lot : whole)
                : new ExpiringPoints(days, within.Sum(l => l.Remaining), first);
        }).ToList();
    }
}
