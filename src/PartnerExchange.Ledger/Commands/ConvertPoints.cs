using System.Globalization;
using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Stores;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Commands;

/// <summary>
/// A quoted rate version and the moment it was quoted, honoured by a conversion until it expires or until another
/// version of the direction takes effect.
/// </summary>
public sealed record RateLock(long RateId, DateTimeOffset QuotedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Converts points from the caller's member to a member of another program: both legs and the settlement
/// obligation in one transaction, or nothing.
/// </summary>
public sealed record ConvertPoints(
    string ProgramCode,
    string SourceMemberNumber,
    string DestinationProgramCode,
    string DestinationMemberNumber,
    long SourcePoints,
    RateLock? Lock,
    string Reference) : LedgerCommand<PostedConversion>
{
    /// <summary>The most points any posting of the conversion may move (Ledger:MaxPointsPerTransaction).</summary>
    public long MaxPointsPerTransaction { get; init; } = LedgerOptions.DefaultMaxPointsPerTransaction;

    internal override Outcome<PostedConversion> Execute(LedgerWriteTransaction tx)
    {
        var caller = Partners.Active(tx, ProgramCode);
        if (!caller.IsSuccess)
        {
            return caller.Refusal;
        }
        var destination = Partners.Active(tx, DestinationProgramCode, side: "destination");
        if (!destination.IsSuccess)
        {
            return destination.Refusal;
        }
        if (!Lookups.IsEnrolled(tx, ProgramCode, SourceMemberNumber))
        {
            return Members.NotFound();
        }
        if (!Lookups.IsEnrolled(tx, DestinationProgramCode, DestinationMemberNumber))
        {
            return Refusal.Of(ErrorReason.DestinationMemberNotFound, "The destination member is not enrolled in the destination program.");
        }
        var rate = RateToUse(tx);
        if (!rate.IsSuccess)
        {
            return rate.Refusal;
        }
        var payee = destination.Value;
        var priced = ConversionCalculator.PriceWithinLimits(rate.Value.Terms, SourcePoints, Lock?.QuotedAt ?? tx.Now,
            MaxPointsPerTransaction, payee.PointPriceMicros, payee.SettlementCurrency);
        if (!priced.IsSuccess)
        {
            return priced.Refusal;
        }
        var (terms, settlement) = priced.Value;
        if (Obligations.RefuseBeyondOpenLimit(tx, ProgramCode, DestinationProgramCode, settlement.CurrencyCode,
                settlement.AmountMicros) is { } beyond)
        {
            return beyond;
        }
        var header = new NewTransaction(
            TransactionKind.Conversion, ProgramCode, Reference, RateId: rate.Value.RateId, RateVersion: rate.Value.Version,
            CounterpartyProgramCode: DestinationProgramCode, FeePoints: terms.MemberFeePoints);
        var lines = PostingRules.Conversion(ProgramCode, SourceMemberNumber, DestinationProgramCode, DestinationMemberNumber, terms);
        var posted = TransactionWriter.Post(tx, header, lines);
        if (!posted.IsSuccess)
        {
            return posted.Refusal;
        }
        var movement = posted.Value;
        Obligations.Record(tx, movement.Transaction.Sequence, ProgramCode, DestinationProgramCode,
            terms.DestinationPoints, payee.PointPriceMicros, settlement);
        return new PostedConversion(movement.Transaction, movement.BalancePoints, terms, rate.Value.Version, settlement);
    }

    /// <summary>
    /// The direction's version in effect now, which a quote must have locked: a quote on an older version (replaced
    /// by one set since, or by one that has taken effect since) would let a conversion use rates the arbitrage
    /// guard no longer counts, so it is refused as expired; a direction switched off converts nothing.
    /// </summary>
    private Outcome<RateRecord> RateToUse(LedgerWriteTransaction tx)
    {
        // Checked here, after the idempotency lookup, so a retry of a conversion that succeeded replays its
        // response even when the quote has expired since.
        if (Lock is not null && tx.Now >= Lock.ExpiresAt)
        {
            return Refusal.Of(ErrorReason.QuoteExpired, "The quote has expired; ask for a new one.");
        }
        var current = tx.Rates.InEffect(ProgramCode, DestinationProgramCode, tx.Now);
        if (Lock is not null && Lock.RateId != current?.RateId && !IsOfThisDirection(tx.Rates.Find(Lock.RateId)))
        {
            return Refusal.Of(ErrorReason.QuoteMismatch, "The quote is for a different conversion.");
        }
        if (current is null || !current.Enabled)
        {
            return Refusal.Of(ErrorReason.RateNotConfigured, "No exchange rate leads from this program to the destination.");
        }
        if (Lock is not null && Lock.RateId != current.RateId)
        {
            return Refusal.Of(ErrorReason.QuoteExpired, "The exchange rate changed since the quote; ask for a new one.",
                ("rate_version", current.Version.ToString(CultureInfo.InvariantCulture)));
        }
        return current;
    }

    private bool IsOfThisDirection(RateRecord? rate) =>
        rate is not null && rate.FromProgramCode == ProgramCode && rate.ToProgramCode == DestinationProgramCode;
}
