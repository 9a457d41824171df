using PartnerExchange.Domain;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Commands;

/// <summary>A quoted rate version and the moment it was quoted, honoured by a conversion until it expires.</summary>
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
    internal override Outcome<PostedConversion> Execute(WriteSession session)
    {
        var caller = Partners.Active(session, ProgramCode);
        if (!caller.IsSuccess)
        {
            return caller.Refusal;
        }
        var destination = Partners.Active(session, DestinationProgramCode, side: "destination");
        if (!destination.IsSuccess)
        {
            return destination.Refusal;
        }
        if (!Lookups.IsEnrolled(session, ProgramCode, SourceMemberNumber))
        {
            return Members.NotFound();
        }
        if (!Lookups.IsEnrolled(session, DestinationProgramCode, DestinationMemberNumber))
        {
            return Refusal.Of(ErrorReason.DestinationMemberNotFound, "The destination member is not enrolled in the destination program.");
        }
        var priced = Price(session);
        if (!priced.IsSuccess)
        {
            return priced.Refusal;
        }
        var (rate, terms) = priced.Value;
        var payee = destination.Value;
        var settlement = Domain.Money.Settlement.ObligationFor(terms.DestinationPoints, payee.PointPriceMicros, payee.SettlementCurrency);
        if (!settlement.IsSuccess)
        {
            return settlement.Refusal;
        }
        if (Obligations.RefuseBeyondOpenLimit(session, ProgramCode, DestinationProgramCode, settlement.Value.CurrencyCode,
                settlement.Value.AmountMicros) is { } beyond)
        {
            return beyond;
        }
        var header = new NewTransaction(
            TransactionKind.Conversion, ProgramCode, Reference, RateId: rate.RateId, RateVersion: rate.Version,
            CounterpartyProgramCode: DestinationProgramCode, FeePoints: terms.MemberFeePoints);
        var lines = PostingRules.Conversion(ProgramCode, SourceMemberNumber, DestinationProgramCode, DestinationMemberNumber, terms);
        var posted = TransactionWriter.Post(session, header, lines);
        if (!posted.IsSuccess)
        {
            return posted.Refusal;
        }
        var movement = posted.Value;
        Obligations.Record(session, movement.Transaction.Sequence, ProgramCode, DestinationProgramCode,
            terms.DestinationPoints, payee.PointPriceMicros, settlement.Value);
        return new PostedConversion(movement.Transaction, movement.BalancePoints, terms, rate.Version, settlement.Value);
    }

    /// <summary>The rate version to use (the quoted one, or the one in effect now) and the terms it gives.</summary>
    private Outcome<(RateRecord Rate, ConversionTerms Terms)> Price(WriteSession session)
    {
        RateRecord? rate;
        DateTimeOffset pricedAt;
        if (Lock is not null)
        {
            // Checked here, after the idempotency lookup, so a retry of a conversion that succeeded replays
            // its response even when the quote has expired since.
            if (session.Now >= Lock.ExpiresAt)
            {
                return Refusal.Of(ErrorReason.QuoteExpired, "The quote has expired; ask for a new one.");
            }
            rate = Lookups.RateById(session, Lock.RateId);
            pricedAt = Lock.QuotedAt;
            if (rate is null || rate.FromProgramCode != ProgramCode || rate.ToProgramCode != DestinationProgramCode)
            {
                return Refusal.Of(ErrorReason.QuoteMismatch, "The quote is for a different conversion.");
            }
        }
        else
        {
            rate = Lookups.RateInEffect(session, ProgramCode, DestinationProgramCode, session.Now);
            pricedAt = session.Now;
            if (rate is null || !rate.Enabled)
            {
                return Refusal.Of(ErrorReason.RateNotConfigured, "No exchange rate leads from this program to the destination.");
            }
        }
        var terms = ConversionCalculator.Calculate(rate.Terms, SourcePoints, pricedAt);
        return terms.IsSuccess ? (rate, terms.Value) : terms.Refusal;
    }
}
