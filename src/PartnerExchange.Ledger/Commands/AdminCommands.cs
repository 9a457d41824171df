using PartnerExchange.Domain;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Commands;

/// <summary>Registers a partner and its program, active.</summary>
public sealed record CreatePartner(
    string ProgramCode,
    string DisplayName,
    string ProgramName,
    PartnerKind Kind,
    string SettlementCurrency,
    long PointPriceMicros,
    EarnRule? EarnRule,
    PartnerRateLimits? RateLimits = null,
    ExpiryPolicy? ExpiryPolicy = null) : LedgerCommand<PartnerRecord>
{
    internal override Outcome<PartnerRecord> Execute(LedgerWriteTransaction tx)
    {
        if (Lookups.Partner(tx, ProgramCode) is not null)
        {
            return Refusal.Of(ErrorReason.ProgramCodeTaken, "Another partner already has this program code.");
        }
        tx.Partners.Insert(new PartnerRecord(
            ProgramCode, DisplayName, ProgramName, Kind, Suspended: false, SettlementCurrency, PointPriceMicros, EarnRule, tx.Now, tx.Now)
        {
            RateLimits = RateLimits ?? PartnerRateLimits.Defaults,
            ExpiryPolicy = ExpiryPolicy ?? Domain.Expiry.ExpiryPolicy.Never,
        });
        return Lookups.Partner(tx, ProgramCode)!;
    }
}

/// <summary>Changes the given fields of a partner; null fields stay as they are.</summary>
public sealed record UpdatePartner(
    string ProgramCode,
    string? DisplayName,
    string? ProgramName,
    PartnerKind? Kind,
    long? PointPriceMicros,
    EarnRule? EarnRule,
    PartnerRateLimits? RateLimits = null,
    ExpiryPolicy? ExpiryPolicy = null) : LedgerCommand<PartnerRecord>
{
    internal override Outcome<PartnerRecord> Execute(LedgerWriteTransaction tx)
    {
        var current = Lookups.Partner(tx, ProgramCode);
        if (current is null)
        {
            return Partners.NotFound(ProgramCode);
        }
        var earn = EarnRule ?? current.EarnRule;
        var policyChanged = ExpiryPolicy is not null && ExpiryPolicy != current.ExpiryPolicy;
        tx.Partners.Update(
            current with
            {
                DisplayName = DisplayName ?? current.DisplayName, ProgramName = ProgramName ?? current.ProgramName,
                Kind = Kind ?? current.Kind, PointPriceMicros = PointPriceMicros ?? current.PointPriceMicros, EarnRule = earn,
                UpdatedAt = tx.Now, RateLimits = RateLimits ?? current.RateLimits, ExpiryPolicy = ExpiryPolicy ?? current.ExpiryPolicy,
            },
            policyChanged);
        if (policyChanged)
        {
            tx.Events.Append(new NewEvent(ProgramCode, EventKind.ExpiryPolicyChanged));
        }
        return Lookups.Partner(tx, ProgramCode)!;
    }
}

/// <summary>Suspends or resumes a partner.</summary>
public sealed record SetPartnerSuspended(string ProgramCode, bool Suspended) : LedgerCommand<PartnerRecord>
{
    internal override Outcome<PartnerRecord> Execute(LedgerWriteTransaction tx)
    {
        return tx.Partners.SetSuspended(ProgramCode, Suspended, tx.NowMicros)
            ? Lookups.Partner(tx, ProgramCode)!
            : Partners.NotFound(ProgramCode);
    }
}

/// <summary>Adds a new version of the directed rate between two programs.</summary>
public sealed record SetExchangeRate(
    string FromProgramCode,
    string ToProgramCode,
    ExchangeRateTerms Terms,
    DateTimeOffset? EffectiveAt,
    bool Enabled) : LedgerCommand<RateRecord>
{
    internal override Outcome<RateRecord> Execute(LedgerWriteTransaction tx)
    {
        foreach (var code in new[] { FromProgramCode, ToProgramCode })
        {
            if (Lookups.Partner(tx, code) is null)
            {
                return Partners.NotFound(code);
            }
        }
        var effectiveAt = EffectiveAt ?? tx.Now;
        // A network where converting round a cycle of programs gains points can be drained; every version of
        // every rate that is or will be in effect counts.
        if (Enabled && Arbitrage.GainingCycle(new RateEdge(FromProgramCode, ToProgramCode, Terms), RatesOnTheWayBack(tx)) is { } cycle)
        {
            return Refusal.Of(ErrorReason.RateAllowsArbitrage,
                $"Converting round {string.Join(" → ", cycle)} could return more points than it took.",
                ("cycle", string.Join(",", cycle)));
        }
        var version = tx.Rates.LatestVersion(FromProgramCode, ToProgramCode) + 1;
        var id = tx.Rates.Insert(FromProgramCode, ToProgramCode, version, Terms, effectiveAt, Enabled);
        // Both programs hear of it: the source's members can convert out on new terms, the destination receives on them.
        foreach (var program in new[] { FromProgramCode, ToProgramCode })
        {
            tx.Events.Append(new NewEvent(program, EventKind.ExchangeRateChanged)
            {
                FromProgramCode = FromProgramCode, ToProgramCode = ToProgramCode, RateVersion = version,
            });
        }
        return tx.Rates.Find(id)!;
    }

    /// <summary>
    /// The rates a cycle through this one could use to come back: every enabled version in effect now or later
    /// of every rate out of a program reachable from this rate's destination, up to (not past) its source.
    /// </summary>
    private List<RateEdge> RatesOnTheWayBack(LedgerWriteTransaction tx)
    {
        var rates = new List<RateEdge>();
        var reached = new HashSet<string>(StringComparer.Ordinal) { ToProgramCode };
        var frontier = new Queue<string>([ToProgramCode]);
        while (frontier.TryDequeue(out var program))
        {
            foreach (var rate in tx.Rates.OutOf(program, tx.Now))
            {
                rates.Add(new RateEdge(rate.FromProgramCode, rate.ToProgramCode, rate.Terms));
                if (rate.ToProgramCode != FromProgramCode && reached.Add(rate.ToProgramCode))
                {
                    frontier.Enqueue(rate.ToProgramCode);
                }
            }
        }
        return rates;
    }
}

/// <summary>
/// An operator's adjustment of a member's balance (signed points), with the operator's reason recorded as the
/// transaction's reference. Not member activity: a debit takes the oldest points first, expired ones included.
/// </summary>
public sealed record AdjustBalance(string ProgramCode, string MemberNumber, long Points, string Reason) : LedgerCommand<PostedMovement>
{
    internal override Outcome<PostedMovement> Execute(LedgerWriteTransaction tx)
    {
        // A suspension stops the partner from moving points, not the operators who correct them.
        if (Lookups.Partner(tx, ProgramCode) is null)
        {
            return Partners.NotFound(ProgramCode);
        }
        if (!Lookups.IsEnrolled(tx, ProgramCode, MemberNumber))
        {
            return Refusal.Of(ErrorReason.MemberNotFound, "No member with this number is enrolled in the program.");
        }
        var header = new NewTransaction(TransactionKind.Adjustment, ProgramCode, Reason);
        return TransactionWriter.Post(tx, header, PostingRules.Adjustment(ProgramCode, MemberNumber, Points));
    }
}

/// <summary>Stores a new API key by the hash of its secret.</summary>
public sealed record CreateApiKey(string KeyId, byte[] SecretHash, ApiKeyRole Role, string? ProgramCode, string Label)
    : LedgerCommand<ApiKeyRecord>
{
    internal override Outcome<ApiKeyRecord> Execute(LedgerWriteTransaction tx)
    {
        if (ProgramCode is not null && Lookups.Partner(tx, ProgramCode) is null)
        {
            return Partners.NotFound(ProgramCode);
        }
        var key = new ApiKeyRecord(KeyId, Role, ProgramCode, Label, tx.Now, null);
        tx.ApiKeys.Insert(key, SecretHash);
        return key;
    }
}

/// <summary>Revokes an API key; revoking a revoked key keeps its first revocation time.</summary>
public sealed record RevokeApiKey(string KeyId) : LedgerCommand<ApiKeyRecord>
{
    internal override Outcome<ApiKeyRecord> Execute(LedgerWriteTransaction tx)
    {
        tx.ApiKeys.Revoke(KeyId, tx.NowMicros);
        return tx.ApiKeys.Find(KeyId) is { } key
            ? key
            : Refusal.Of(ErrorReason.ApiKeyNotFound, "No API key has this id.");
    }
}
