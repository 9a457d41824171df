using PartnerExchange.Domain.Rates;

namespace PartnerExchange.Domain.Tests.Rates;

/// <summary>Shared rates and times for rate tests.</summary>
internal static class RateFixtures
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>1000:800, 1 000–100 000 in steps of 500, no fee, no bonus.</summary>
    public static readonly ExchangeRateTerms Standard = new(
        FromPoints: 1000,
        ToPoints: 800,
        MinSourcePoints: 1000,
        MaxSourcePoints: 100_000,
        IncrementPoints: 500,
        MemberFeePoints: 0,
        BonusBasisPoints: 0,
        BonusStartsAt: null,
        BonusEndsAt: null);

    /// <summary>A ratio with no limits to speak of: any positive amount, any step.</summary>
    public static ExchangeRateTerms Ratio(long fromPoints, long toPoints) =>
        Standard with { FromPoints = fromPoints, ToPoints = toPoints, MinSourcePoints = 1, MaxSourcePoints = long.MaxValue, IncrementPoints = 1 };

    public static DateTimeOffset? At(long? secondsFromNow) =>
        secondsFromNow is { } seconds ? Now.AddSeconds(seconds) : null;
}
