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
