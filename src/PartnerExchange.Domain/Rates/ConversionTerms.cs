using PartnerExchange.Domain.Money;

namespace PartnerExchange.Domain.Rates;

/// <summary>What one conversion does, as computed by <see cref="ConversionCalculator"/>.</summary>
/// <param name="SourcePoints">Source points converted (they leave the member for the conversion-out account).</param>
/// <param name="MemberFeePoints">Source points charged as a fee on top of <paramref name="SourcePoints"/>.</param>
/// <param name="MemberDebitPoints">Everything the member pays: source plus fee.</param>
/// <param name="BaseDestinationPoints">Destination points bought at the rate's ratio, before any bonus.</param>
/// <param name="BonusPoints">Extra destination points from an active bonus.</param>
/// <param name="DestinationPoints">Everything the destination member receives: base plus bonus.</param>
public sealed record ConversionTerms(
    long SourcePoints,
    long MemberFeePoints,
    long MemberDebitPoints,
    long BaseDestinationPoints,
    long BonusPoints,
    long DestinationPoints);

/// <summary>A conversion priced within the exchange's limits: what it moves and what it owes the destination partner.</summary>
/// <param name="Terms">The points the conversion moves.</param>
/// <param name="Settlement">What the source partner owes the destination partner for it.</param>
public sealed record PricedConversion(ConversionTerms Terms, SettlementAmount Settlement);
