using Google.Protobuf.Reflection;
using PartnerExchange.Domain;
using DomainKind = PartnerExchange.Domain.Ledger.TransactionKind;
using LedgerPartnerKind = PartnerExchange.Ledger.Commands.PartnerKind;
using LedgerRole = PartnerExchange.Ledger.Commands.ApiKeyRole;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// The protos are the manual: every reason and enum value the server can send must be documented there
/// under the same name and number the server maps it to.
/// </summary>
public sealed class ContractTests
{
    public static TheoryData<Domain.ErrorReason> DomainReasons() => new(Enum.GetValues<Domain.ErrorReason>());

    [Theory]
    [MemberData(nameof(DomainReasons))]
    public void ErrorReason_EveryDomainReason_IsDocumentedInTheProtoUnderItsCode(Domain.ErrorReason reason)
    {
        var protoName = reason == Domain.ErrorReason.Unspecified ? "ERROR_REASON_UNSPECIFIED" : "ERROR_REASON_" + ErrorReasons.Code(reason);
        var protoValue = Proto(V1.CommonReflection.Descriptor, "ErrorReason").FindValueByName(protoName);

        Assert.NotNull(protoValue);
        Assert.Equal((int)reason, protoValue.Number);
    }

    [Fact]
    public void ErrorReason_EveryProtoReason_HasADomainReason() =>
        Assert.Equal(Enum.GetValues<Domain.ErrorReason>().Length, Proto(V1.CommonReflection.Descriptor, "ErrorReason").Values.Count);

    [Theory]
    [InlineData(DomainKind.Accrual, V1.TransactionKind.Accrual)]
    [InlineData(DomainKind.Redemption, V1.TransactionKind.Redemption)]
    [InlineData(DomainKind.Conversion, V1.TransactionKind.Conversion)]
    [InlineData(DomainKind.Reversal, V1.TransactionKind.Reversal)]
    [InlineData(DomainKind.Expiry, V1.TransactionKind.Expiry)]
    [InlineData(DomainKind.Adjustment, V1.TransactionKind.Adjustment)]
    public void TransactionKind_MapsByValue(DomainKind domain, V1.TransactionKind proto) => Assert.Equal((int)domain, (int)proto);

    [Theory]
    [InlineData(LedgerPartnerKind.Airline, V1.PartnerKind.Airline)]
    [InlineData(LedgerPartnerKind.Hotel, V1.PartnerKind.Hotel)]
    [InlineData(LedgerPartnerKind.Retailer, V1.PartnerKind.Retailer)]
    [InlineData(LedgerPartnerKind.CardIssuer, V1.PartnerKind.CardIssuer)]
    [InlineData(LedgerPartnerKind.Charity, V1.PartnerKind.Charity)]
    [InlineData(LedgerPartnerKind.Other, V1.PartnerKind.Other)]
    public void PartnerKind_MapsByValue(LedgerPartnerKind ledger, V1.PartnerKind proto) => Assert.Equal((int)ledger, (int)proto);

    [Theory]
    [InlineData(LedgerRole.Partner, V1.ApiKeyRole.Partner)]
    [InlineData(LedgerRole.Operator, V1.ApiKeyRole.Operator)]
    public void ApiKeyRole_MapsByValue(LedgerRole ledger, V1.ApiKeyRole proto) => Assert.Equal((int)ledger, (int)proto);

    [Fact]
    public void EnumCounts_MatchTheProtos()
    {
        // A value added on one side only would map to nothing (or the wrong thing) on the other.
        Assert.Equal(Enum.GetValues<DomainKind>().Length + 1, Proto(V1.CommonReflection.Descriptor, "TransactionKind").Values.Count);
        Assert.Equal(Enum.GetValues<LedgerPartnerKind>().Length + 1, Proto(V1.AdminReflection.Descriptor, "PartnerKind").Values.Count);
        Assert.Equal(Enum.GetValues<LedgerRole>().Length + 1, Proto(V1.AdminReflection.Descriptor, "ApiKeyRole").Values.Count);
    }

    private static EnumDescriptor Proto(FileDescriptor file, string name) => file.EnumTypes.Single(e => e.Name == name);
}
