using System.Text;
using CsCheck;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;
using static PartnerExchange.Ledger.Tests.Properties.Network;

namespace PartnerExchange.Ledger.Tests.Properties;

/// <summary>One step of a random scenario, in program and member indexes.</summary>
internal abstract record Op;

internal sealed record EnrollOp(int Program, int Member) : Op;

internal sealed record AccrueOp(int Program, int Member, long Points) : Op;

internal sealed record RedeemOp(int Program, int Member, long Points) : Op;

internal sealed record ConvertOp(int From, int FromMember, int To, int ToMember, long SourcePoints) : Op;

/// <summary>
/// Reverses one of the transactions known when it is submitted (<see cref="Pick"/>), asked by its requester
/// (<see cref="Caller"/> 0–2), by another program (3), or names an id that does not exist (4).
/// </summary>
internal sealed record ReverseOp(int Pick, int Caller) : Op;

/// <summary>Sends an earlier request's key again, with the same request or a different one.</summary>
internal sealed record RetryOp(int Pick, bool SameRequest) : Op;

/// <summary>A step, and whether to wait for everything in flight before submitting it.</summary>
internal sealed record Step(Op Op, bool WaitBefore);

/// <summary>
/// Random scenarios over the real ledger (of the engine under test, see <see cref="TestEngine"/>): steps are submitted in bursts that share groups, and after
/// each scenario the stored ledger must keep its invariants and agree with <see cref="LedgerModel"/>.
/// </summary>
[Trait("Category", TestEngine.ContractCategory)]
public sealed class LedgerProperties
{
    private const int StepsPerScenario = 40;
    private const long Scenarios = 30;
    private const long OpeningPoints = 500;

    private static readonly Gen<int> GenProgram = Gen.Int[0, 2];

    // Mostly the members enrolled from the start; m2 exists only once a step enrolls it.
    private static readonly Gen<int> GenMember = Gen.Frequency((4, Gen.Int[0, 1]), (1, Gen.Const(2)));

    // Mostly amounts every rate's increment divides, so that many conversions go through.
    private static readonly Gen<long> GenSourcePoints = Gen.Frequency(
        (3, Gen.Int[1, 40].Select(tens => tens * 10L)),
        (1, Gen.Long[1, 600]));

    // Mostly another program; now and then the same one, which no rate leads to.
    private static readonly Gen<int> GenDestinationOffset = Gen.Frequency((6, Gen.Int[1, 2]), (1, Gen.Const(0)));

    // Mostly the requester; now and then another program (3) or an id that does not exist (4).
    private static readonly Gen<int> GenReversalCaller = Gen.Frequency((6, Gen.Int[0, 2]), (1, Gen.Const(3)), (1, Gen.Const(4)));

    private static readonly Gen<Op> GenOp = Gen.Frequency(
        (1, Gen.Select(GenProgram, GenMember, (p, m) => (Op)new EnrollOp(p, m))),
        (4, Gen.Select(GenProgram, GenMember, Gen.Long[1, 1_000], (p, m, points) => (Op)new AccrueOp(p, m, points))),
        (3, Gen.Select(GenProgram, GenMember, Gen.Long[1, 400], (p, m, points) => (Op)new RedeemOp(p, m, points))),
        (4, Gen.Select(GenProgram, GenMember, GenDestinationOffset, GenMember, GenSourcePoints,
            (from, fromMember, offset, toMember, points) => (Op)new ConvertOp(from, fromMember, (from + offset) % 3, toMember, points))),
        (3, Gen.Select(Gen.Int[0, 1_000], GenReversalCaller, (pick, caller) => (Op)new ReverseOp(pick, caller))),
        (2, Gen.Select(Gen.Int[0, 1_000], Gen.Int[0, 3], (pick, same) => (Op)new RetryOp(pick, same != 0))));

    private static readonly Gen<Step[]> GenScenario =
        Gen.Select(GenOp, Gen.Int[0, 3], (op, wait) => new Step(op, wait == 0)).Array[StepsPerScenario];

    [Fact]
    public async Task RandomOperations_InSharedGroups_KeepLedgerInvariantsAndMatchTheModel()
    {
        await GenScenario.SampleAsync(
            async steps =>
            {
                await using var ledger = await LedgerHarness.StartAsync();
                var scenario = new Scenario(ledger);
                await scenario.SeedAsync();
                await scenario.RunAsync(steps);
                await LedgerChecks.AssertMatchesAsync(ledger, scenario.Model);
                Assert.Empty(ledger.Log.UnexpectedErrors());
            },
            iter: Scenarios,
            threads: 4);
    }

    /// <summary>Submits the steps of one scenario and checks every answer against the model.</summary>
    private sealed class Scenario(LedgerHarness ledger)
    {
        private readonly List<Submitted> _submitted = [];
        private readonly List<int> _originals = [];

        public LedgerModel Model { get; } = new();

        public async Task SeedAsync()
        {
            for (var p = 0; p < Programs.Length; p++)
            {
                await ledger.CreatePartnerAsync(Programs[p], Prices[p].Currency, Prices[p].PointPriceMicros);
            }
            foreach (var rate in Rates)
            {
                await ledger.SetRateAsync(Programs[rate.From], Programs[rate.To], rate.Terms);
            }
            for (var p = 0; p < Programs.Length; p++)
            {
                for (var m = 0; m < PreEnrolledMembers; m++)
                {
                    await ledger.EnrollAsync(Programs[p], Member(m));
                    Assert.IsType<ExpectAccepted>(Model.Enroll(p, m));
                    var opening = Assert.IsType<ExpectAccepted>(Model.Accrue(p, m, OpeningPoints)).Transaction!;
                    var response = await ledger.AccrueAsync(Programs[p], Member(m), OpeningPoints);
                    Assert.Equal(opening.Sequence, Responses.SequenceOf(response));
                    opening.TransactionId = Responses.TransactionIdOf(response);
                }
            }
        }

        public async Task RunAsync(Step[] steps)
        {
            var segmentStart = 0;
            for (var i = 1; i <= steps.Length; i++)
            {
                if (i == steps.Length || steps[i].WaitBefore)
                {
                    await RunSegmentAsync(segmentStart, steps[segmentStart..i]);
                    segmentStart = i;
                }
            }
        }

        /// <summary>
        /// Queues a burst of steps while the writer is held, so the writer takes them in one known order (its
        /// fair queue's: one request of each program in turn, each program's own in submission order) and in
        /// shared groups. The model takes them in that order too; then every answer is checked in it.
        /// </summary>
        private async Task RunSegmentAsync(int first, Step[] segment)
        {
            var queued = segment.Select((step, i) => Plan(first + i, step.Op)).Where(s => s.Send is not null).ToList();
            var writerOrder = WriterOrder(queued);
            foreach (var submitted in writerOrder)
            {
                submitted.Expected = submitted.Expect!();
            }
            var gate = new WriterGate();
            var held = ledger.Hold(gate);
            await gate.Entered;
            foreach (var submitted in queued)
            {
                submitted.Task = submitted.Send!();
            }
            gate.Release();
            await held;
            foreach (var submitted in writerOrder)
            {
                await CheckAsync(submitted);
            }
        }

        /// <summary>The order in which the writer's fair queue takes requests queued together: one of each caller in turn.</summary>
        private static List<Submitted> WriterOrder(List<Submitted> queued)
        {
            var byCaller = queued.GroupBy(s => s.Scope!.Principal).Select(g => new Queue<Submitted>(g)).ToList();
            var order = new List<Submitted>(queued.Count);
            while (order.Count < queued.Count)
            {
                foreach (var waiting in byCaller)
                {
                    if (waiting.TryDequeue(out var next))
                    {
                        order.Add(next);
                    }
                }
            }
            return order;
        }

        private Submitted Plan(int index, Op op)
        {
            if (op is RetryOp retry)
            {
                return PlanRetry(retry);
            }
            var (principal, expect, resubmit) = op switch
            {
                EnrollOp e => Request(e.Program, () => Model.Enroll(e.Program, e.Member), new EnrollMember(Programs[e.Program], Member(e.Member))),
                AccrueOp a => Request(a.Program, () => Model.Accrue(a.Program, a.Member, a.Points),
                    ledger.AccrueCommand(Programs[a.Program], Member(a.Member), a.Points, $"step-{index}")),
                RedeemOp r => Request(r.Program, () => Model.Redeem(r.Program, r.Member, r.Points),
                    new Redeem(Programs[r.Program], Member(r.Member), r.Points, $"step-{index}")),
                ConvertOp c => Request(c.From, () => Model.Convert(c.From, c.FromMember, c.To, c.ToMember, c.SourcePoints),
                    new ConvertPoints(Programs[c.From], Member(c.FromMember), Programs[c.To], Member(c.ToMember), c.SourcePoints, null, $"step-{index}")),
                ReverseOp v => ReverseRequest(index, v),
                _ => throw new InvalidOperationException($"Unknown step {op}."),
            };
            var scope = new IdempotencyScope(principal, principal, "key-id", $"step-{index}", op.GetType().Name,
                Encoding.UTF8.GetBytes(op.ToString()));
            _originals.Add(index);
            return Add(new Submitted(op) { Scope = scope, Resubmit = resubmit, Expect = expect, Send = () => resubmit(scope) });
        }

        private (string, Func<Expected>, Func<IdempotencyScope, Task<Outcome<WriteReceipt>>>) ReverseRequest(int index, ReverseOp op)
        {
            // Only transactions whose responses came back (in earlier bursts) have a known id.
            var known = Model.Transactions.Where(t => t.TransactionId is not null).ToList();
            var original = known.Count == 0 || op.Caller == 4 ? null : known[op.Pick % known.Count];
            var caller = original is null ? 0 : op.Caller <= 2 ? original.Requester : (original.Requester + 1) % Programs.Length;
            var command = new Reverse(Programs[caller], original?.TransactionId ?? "tx_unknown", $"step-{index}");
            return Request(caller, () => Model.Reverse(caller, original), command);
        }

        private Submitted PlanRetry(RetryOp op)
        {
            if (_originals.Count == 0)
            {
                return Add(new Submitted(op));
            }
            var originalStep = _originals[op.Pick % _originals.Count];
            var earlier = _submitted[originalStep];
            var scope = op.SameRequest ? earlier.Scope! : earlier.Scope! with { RequestFingerprint = [.. earlier.Scope!.RequestFingerprint, 0xFF] };
            Expected expected = op.SameRequest ? new ExpectReplay(originalStep) : new ExpectKeyReused();
            return Add(new Submitted(op) { Scope = scope, Expect = () => expected, Send = () => earlier.Resubmit!(scope) });
        }

        private Submitted Add(Submitted submitted)
        {
            _submitted.Add(submitted);
            return submitted;
        }

        private (string, Func<Expected>, Func<IdempotencyScope, Task<Outcome<WriteReceipt>>>) Request<T>(int program, Func<Expected> expect, LedgerCommand<T> command) =>
            (Programs[program], expect, scope => ledger.Submit(scope, command));

        private async Task CheckAsync(Submitted submitted)
        {
            var outcome = await submitted.Task!;
            var expected = Describe(submitted.Expected!);
            var actual = Describe(outcome);
            Assert.True(expected == actual, $"Step {_submitted.IndexOf(submitted)} {submitted.Op}: expected '{expected}', got '{actual}'.");
            if (submitted.Expected is ExpectAccepted { Transaction: { } transaction })
            {
                transaction.TransactionId = Responses.TransactionIdOf(outcome.Value.Response);
            }
            submitted.Receipt = outcome.IsSuccess ? outcome.Value : null;
        }

        private string Describe(Expected expected) => expected switch
        {
            ExpectAccepted { Transaction: null } => "accepted",
            ExpectAccepted { Transaction: { } t } => $"accepted sequence {t.Sequence}",
            ExpectRefused r => "refused " + ErrorReasons.Code(r.Reason),
            ExpectReplay p => "replayed " + Responses.Text(_submitted[p.OriginalStep].Receipt!.Response),
            ExpectKeyReused => "writer refused " + ErrorReasons.Code(ErrorReason.IdempotencyKeyReused),
            _ => throw new InvalidOperationException($"Unknown expectation {expected}."),
        };

        private static string Describe(Outcome<WriteReceipt> outcome)
        {
            if (!outcome.IsSuccess)
            {
                return "writer refused " + ErrorReasons.Code(outcome.Refusal.Reason);
            }
            var (response, replayed) = (outcome.Value.Response, outcome.Value.Replayed);
            if (replayed)
            {
                return "replayed " + Responses.Text(response);
            }
            if (response.IsRefusal)
            {
                return "refused " + Responses.Text(response);
            }
            return Responses.Text(response).Contains('|', StringComparison.Ordinal)
                ? $"accepted sequence {Responses.SequenceOf(response)}"
                : "accepted";
        }

        /// <summary>A step's request (none for a retry with nothing to retry), what the model expects, and its answer.</summary>
        private sealed class Submitted(Op op)
        {
            public Op Op { get; } = op;

            public IdempotencyScope? Scope { get; init; }

            /// <summary>Sends the same command under another scope (a retry of this step).</summary>
            public Func<IdempotencyScope, Task<Outcome<WriteReceipt>>>? Resubmit { get; init; }

            /// <summary>Applies the step to the model, in the writer's order, and says what the ledger must answer.</summary>
            public Func<Expected>? Expect { get; init; }

            public Func<Task<Outcome<WriteReceipt>>>? Send { get; init; }

            public Expected? Expected { get; set; }

            public Task<Outcome<WriteReceipt>>? Task { get; set; }

            public WriteReceipt? Receipt { get; set; }
        }
    }
}

/// <summary>The invariants of a stored ledger (the one checker), and its agreement with the model, read straight from the database.</summary>
internal static class LedgerChecks
{
    public static async Task AssertMatchesAsync(LedgerHarness ledger, LedgerModel model)
    {
        await ledger.AssertVerifiedAsync();
        await AssertTransactionsAsync(ledger, model);
        await AssertPostingsAsync(ledger, model);
        await AssertBalancesAsync(ledger, model);
        await AssertObligationsAsync(ledger, model);
    }

    /// <summary>Gap-free sequences 1..N, each the kind, requester and reversal target the model expects.</summary>
    private static async Task AssertTransactionsAsync(LedgerHarness ledger, LedgerModel model)
    {
        var stored = await ledger.QueryAsync(
            "SELECT sequence, kind, requester_program_code, reverses_sequence FROM transactions ORDER BY sequence",
            r => (r.GetInt64(0), (TransactionKind)r.GetInt32(1), r.GetString(2), r.IsDBNull(3) ? (long?)null : r.GetInt64(3)));
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Select(t => t.Item1));
        Assert.Equal(model.Transactions.Select(t => (t.Sequence, t.Kind, Programs[t.Requester], t.Reverses?.Sequence)), stored);
    }

    /// <summary>Every transaction moves its members exactly as the model says.</summary>
    private static async Task AssertPostingsAsync(LedgerHarness ledger, LedgerModel model)
    {
        var memberLines = await ledger.QueryAsync(
            "SELECT sequence, program_code, member_number, amount_points FROM postings WHERE account_kind = 1 ORDER BY id",
            r => (r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3)));
        Assert.Equal(
            model.Transactions.SelectMany(t => t.Deltas.Select(d => (t.Sequence, Programs[d.Program], Member(d.Member), d.Points))),
            memberLines);
    }

    /// <summary>Members hold what the model says.</summary>
    private static async Task AssertBalancesAsync(LedgerHarness ledger, LedgerModel model)
    {
        var members = await ledger.QueryAsync(
            "SELECT program_code, member_number, balance_points FROM accounts WHERE kind = 1",
            r => (r.GetString(0), r.GetString(1), r.GetInt64(2)));
        Assert.Equal(
            model.Balances.Select(kv => (Programs[kv.Key.Program], Member(kv.Key.Member), kv.Value)).Order(),
            members.Order());
    }

    /// <summary>The obligations the model expects, and no other.</summary>
    private static async Task AssertObligationsAsync(LedgerHarness ledger, LedgerModel model)
    {
        var stored = await ledger.QueryAsync(
            "SELECT sequence, payer_program_code, payee_program_code, destination_points, amount_micros FROM obligations ORDER BY sequence",
            r => (r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4)));
        var expected = model.Transactions
            .Where(t => t.Obligation is not null)
            .Select(t => (t.Sequence, Programs[t.Obligation!.Payer], Programs[t.Obligation.Payee], t.Obligation.DestinationPoints, t.Obligation.AmountMicros));
        Assert.Equal(expected, stored);
    }
}
