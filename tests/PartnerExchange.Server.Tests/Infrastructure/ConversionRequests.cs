using Google.Protobuf.WellKnownTypes;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Infrastructure;

/// <summary>Requests the conversion tests share.</summary>
internal static class ConversionRequests
{
    /// <summary>
    /// An enabled rate with the smallest valid minimum (worth one destination point), a large maximum,
    /// increment 1 and no bonus, in effect from a second ago.
    /// </summary>
    /// <remarks>
    /// Backdated because Quote looks rates up at whole milliseconds while versions take effect to the
    /// microsecond: a quote made within the millisecond a version took effect does not see it yet. Later
    /// versions of a direction are set later, so they are still the current ones.
    /// </remarks>
    public static SetExchangeRateRequest Rate(TestPartner from, TestPartner to, long fromPoints, long toPoints, long fee = 0) => new()
    {
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        FromProgramCode = from.ProgramCode,
        ToProgramCode = to.ProgramCode,
        FromPoints = fromPoints,
        ToPoints = toPoints,
        MinSourcePoints = (fromPoints + toPoints - 1) / toPoints,
        MaxSourcePoints = 1_000_000_000,
        IncrementPoints = 1,
        MemberFeePoints = fee,
        EffectiveTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-1)),
        Enabled = true,
    };

    public static ConvertRequest Convert(string sourceMember, TestPartner destination, string destinationMember, long sourcePoints) => new()
    {
        IdempotencyKey = Guid.NewGuid().ToString("N"),
        SourceMemberNumber = sourceMember,
        DestinationProgramCode = destination.ProgramCode,
        DestinationMemberNumber = destinationMember,
        SourcePoints = sourcePoints,
    };

    public static async Task<ExchangeRate> SetExchangeRateAsync(this RunningExchange exchange, SetExchangeRateRequest request) =>
        (await exchange.Admin().SetExchangeRateAsync(request)).Rate;
}
