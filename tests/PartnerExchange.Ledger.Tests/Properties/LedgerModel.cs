using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Ledger.Tests.Properties;

/// <summary>The network every random scenario runs on: three programs, their prices and the rates between them.</summary>
internal static class Network
{
    public static readonly string[] Programs = ["AIR", "HOTEL", "SHOP"];

    public static readonly (string Currency, long PointPriceMicros)[] Prices = [("USD", 12_500), ("EUR", 8_000), ("JPY", 1_000_000)];

    /// <summary>Members m0 and m1 are enrolled everywhere before a scenario starts; m2 only through its steps.</summary>
    public const int PreEnrolledMembers = 2;

    /// <summary>
    /// Directed rates, in the order they are set (each passes the arbitrage guard against the ones before).
    /// SHOP → HOTEL has none. HOTEL → AIR has a bonus that is always on; HOTEL → SHOP one whose window is over.
    /// </summary>
    public static readonly IReadOnlyList<ModelRate> Rates =
    [
        new(0, 1, new ExchangeRateTerms(10, 8, 10, 500, 10, 2, 0, null, null), BonusActive: false),
        new(1, 0, new ExchangeRateTerms(5, 4, 5, 400, 5, 0, 1_000, null, null), BonusActive: true),
        new(0, 2, new ExchangeRateTerms(1, 3, 1, 300, 1, 1, 0, null, null), BonusActive: false),
        new(2, 0, new ExchangeRateTerms(4, 1, 4, 1_000, 4, 0, 0, null, null), BonusActive: false),
        new(1, 2, new ExchangeRateTerms(2, 5, 2, 200, 2, 0, 500,
            new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2020, 2, 1, 0, 0, 0, TimeSpan.Zero)), BonusActive: false),
    ];

    public static string Member(int member) => "m" + member;
}

/// <summary>A rate of the network and whether its bonus applies at the scenarios' (fixed) time.</summary>
internal sealed record ModelRate(int From, int To, ExchangeRateTerms Terms, bool BonusActive);

/// <summary>A member's movement in one transaction.</summary>
internal readonly record struct MemberDelta(int Program, int Member, long Points);

/// <summary>What a conversion owes: destination points at the destination's price.</summary>
internal sealed record ModelObligation(int Payer, int Payee, long DestinationPoints, long AmountMicros);

/// <summary>A transaction the model expects the ledger to have committed.</summary>
internal sealed class ModelTransaction(long sequence, TransactionKind kind, int requester, IReadOnlyList<MemberDelta> deltas,
    ModelObligation? obligation, ModelTransaction? reverses)
{
    public long Sequence { get; } = sequence;
    public TransactionKind Kind { get; } = kind;
    public int Requester { get; } = requester;
    public IReadOnlyList<MemberDelta> Deltas { get; } = deltas;
    public ModelObligation? Obligation { get; } = obligation;
    public ModelTransaction? Reverses { get; } = reverses;

    /// <summary>The id the ledger gave it, known once its response has come back.</summary>
    public string? TransactionId { get; set; }

    public bool Reversed { get; set; }
}

/// <summary>What the model expects one request to answer.</summary>
internal abstract record Expected;

internal sealed record ExpectAccepted(ModelTransaction? Transaction) : Expected;

internal sealed record ExpectRefused(ErrorReason Reason) : Expected;

internal sealed record ExpectReplay(int OriginalStep) : Expected;

internal sealed record ExpectKeyReused : Expected;

/// <summary>
/// A plain in-memory ledger of member balances, written from the documented rules rather than from the
/// code under test: the random scenarios compare the real ledger against it, refusals included.
/// </summary>
internal sealed class LedgerModel
{
    private readonly Dictionary<(int Program, int Member), long> _balances = [];
    private readonly List<ModelTransaction> _transactions = [];

    public IReadOnlyDictionary<(int Program, int Member), long> Balances => _balances;

    public IReadOnlyList<ModelTransaction> Transactions => _transactions;

    public Expected Enroll(int program, int member)
    {
        if (!_balances.TryAdd((program, member), 0))
        {
            return new ExpectRefused(ErrorReason.MemberAlreadyEnrolled);
        }
        return new ExpectAccepted(null);
    }

    public Expected Accrue(int program, int member, long points) =>
        IsEnrolled(program, member)
            ? Commit(TransactionKind.Accrual, program, [new(program, member, points)], null, null)
            : new ExpectRefused(ErrorReason.MemberNotFound);

    public Expected Redeem(int program, int member, long points) =>
        IsEnrolled(program, member)
            ? Commit(TransactionKind.Redemption, program, [new(program, member, -points)], null, null)
            : new ExpectRefused(ErrorReason.MemberNotFound);

    public Expected Convert(int from, int fromMember, int to, int toMember, long sourcePoints)
    {
        if (!IsEnrolled(from, fromMember))
        {
            return new ExpectRefused(ErrorReason.MemberNotFound);
        }
        if (!IsEnrolled(to, toMember))
        {
            return new ExpectRefused(ErrorReason.DestinationMemberNotFound);
        }
        var rate = Network.Rates.FirstOrDefault(r => r.From == from && r.To == to);
        if (rate is null)
        {
            return new ExpectRefused(ErrorReason.RateNotConfigured);
        }
        var terms = rate.Terms;
        if (sourcePoints < terms.MinSourcePoints)
        {
            return new ExpectRefused(ErrorReason.BelowMinimum);
        }
        if (sourcePoints > terms.MaxSourcePoints)
        {
            return new ExpectRefused(ErrorReason.AboveMaximum);
        }
        if (sourcePoints % terms.IncrementPoints != 0)
        {
            return new ExpectRefused(ErrorReason.NotAnIncrement);
        }
        // Everything is positive and small here, so integer division is the documented rounding down.
        var basePoints = sourcePoints * terms.ToPoints / terms.FromPoints;
        var bonusPoints = rate.BonusActive ? basePoints * terms.BonusBasisPoints / 10_000 : 0;
        var destinationPoints = basePoints + bonusPoints;
        var obligation = new ModelObligation(from, to, destinationPoints, destinationPoints * Network.Prices[to].PointPriceMicros);
        return Commit(TransactionKind.Conversion, from,
            [new(from, fromMember, -(sourcePoints + terms.MemberFeePoints)), new(to, toMember, destinationPoints)], obligation, null);
    }

    public Expected Reverse(int caller, ModelTransaction? original)
    {
        if (original is null)
        {
            return new ExpectRefused(ErrorReason.TransactionNotFound);
        }
        if (original.Requester != caller)
        {
            // The other side of a conversion sees it but may not undo it; to anyone else it does not exist.
            return new ExpectRefused(original.Deltas.Any(d => d.Program == caller) ? ErrorReason.NotReversible : ErrorReason.TransactionNotFound);
        }
        if (original.Kind == TransactionKind.Reversal)
        {
            return new ExpectRefused(ErrorReason.NotReversible);
        }
        if (original.Reversed)
        {
            return new ExpectRefused(ErrorReason.AlreadyReversed);
        }
        var negated = original.Deltas.Select(d => d with { Points = -d.Points }).ToList();
        var obligation = original.Obligation is { } o ? o with { DestinationPoints = -o.DestinationPoints, AmountMicros = -o.AmountMicros } : null;
        return Commit(TransactionKind.Reversal, caller, negated, obligation, original);
    }

    private bool IsEnrolled(int program, int member) => _balances.ContainsKey((program, member));

    /// <summary>All or nothing: refused when any member would go below zero.</summary>
    private Expected Commit(TransactionKind kind, int requester, IReadOnlyList<MemberDelta> deltas, ModelObligation? obligation,
        ModelTransaction? reverses)
    {
        var after = new Dictionary<(int, int), long>();
        foreach (var delta in deltas)
        {
            var key = (delta.Program, delta.Member);
            var next = after.GetValueOrDefault(key, _balances[key]) + delta.Points;
            if (next < 0)
            {
                return new ExpectRefused(ErrorReason.InsufficientPoints);
            }
            after[key] = next;
        }
        foreach (var (key, balance) in after)
        {
            _balances[key] = balance;
        }
        var transaction = new ModelTransaction(_transactions.Count + 1, kind, requester, deltas, obligation, reverses);
        _transactions.Add(transaction);
        if (reverses is not null)
        {
            reverses.Reversed = true;
        }
        return new ExpectAccepted(transaction);
    }
}
