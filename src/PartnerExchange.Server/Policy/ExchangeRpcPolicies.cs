using PartnerExchange.V1;
using PartnerExchange.Server.RateLimiting;
using Health = Grpc.Health.V1.Health;
using ReflectionV1 = Grpc.Reflection.V1.ServerReflection;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha.ServerReflection;

namespace PartnerExchange.Server.Policy;

/// <summary>
/// The one place each RPC's policy is declared: whose key it needs, which bucket a partner's call draws from, and
/// whether it writes. Authentication, rate limiting and the idempotent write path all read it; the host checks it
/// against the proto descriptors at start (<see cref="RpcPolicies"/>), so a new RPC without a line here stops the
/// server from starting.
/// </summary>
internal static class ExchangeRpcPolicies
{
    public static IReadOnlyList<RpcPolicy> All { get; } =
    [
        new(PointsService.Descriptor, "EnrollMember", CallerRole.Partner, LimitClass.Writes, RpcEffect.Write),
        new(PointsService.Descriptor, "Accrue", CallerRole.Partner, LimitClass.Writes, RpcEffect.Write),
        new(PointsService.Descriptor, "Redeem", CallerRole.Partner, LimitClass.Writes, RpcEffect.Write),
        new(PointsService.Descriptor, "Reverse", CallerRole.Partner, LimitClass.Writes, RpcEffect.Write),
        // Operators may read these too, naming the program (support sees what a partner sees).
        new(PointsService.Descriptor, "GetAccount", CallerRole.AnyKey, LimitClass.Reads, RpcEffect.Read),
        new(PointsService.Descriptor, "ListTransactions", CallerRole.AnyKey, LimitClass.Reads, RpcEffect.Read),
        new(PointsService.Descriptor, "GetTransaction", CallerRole.AnyKey, LimitClass.Reads, RpcEffect.Read),

        new(ConversionService.Descriptor, "ListRates", CallerRole.Partner, LimitClass.Reads, RpcEffect.Read),
        new(ConversionService.Descriptor, "Quote", CallerRole.Partner, LimitClass.Quotes, RpcEffect.Read),
        new(ConversionService.Descriptor, "Convert", CallerRole.Partner, LimitClass.Writes, RpcEffect.Write),

        new(AdminService.Descriptor, "CreatePartner", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "GetPartner", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(AdminService.Descriptor, "ListPartners", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(AdminService.Descriptor, "UpdatePartner", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "SuspendPartner", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "ResumePartner", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "SetExchangeRate", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "ListExchangeRates", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(AdminService.Descriptor, "CreateApiKey", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "ListApiKeys", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(AdminService.Descriptor, "RevokeApiKey", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "RunExpiry", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(AdminService.Descriptor, "AdjustBalance", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),

        new(SettlementService.Descriptor, "ClosePeriod", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(SettlementService.Descriptor, "GetPeriod", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(SettlementService.Descriptor, "ListPeriods", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(SettlementService.Descriptor, "ListStatements", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(SettlementService.Descriptor, "GetStatement", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(SettlementService.Descriptor, "ExportStatementLines", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(SettlementService.Descriptor, "RecordPayment", CallerRole.Operator, LimitClass.Operators, RpcEffect.Write),
        new(SettlementService.Descriptor, "ReconcileStatement", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(SettlementService.Descriptor, "GetLiability", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),
        new(SettlementService.Descriptor, "VerifyLedger", CallerRole.Operator, LimitClass.Operators, RpcEffect.Read),

        new(DiagnosticsService.Descriptor, "Ping", CallerRole.AnyKey, LimitClass.Reads, RpcEffect.Read),
        // One draw per stream opened, not per event: the stream cap bounds what an open stream costs.
        new(EventsService.Descriptor, "StreamEvents", CallerRole.AnyKey, LimitClass.Reads, RpcEffect.Read),

        // Load balancers and tools ask these without a key.
        new(Health.Descriptor, "Check", CallerRole.Anonymous, null, RpcEffect.Read),
        new(Health.Descriptor, "Watch", CallerRole.Anonymous, null, RpcEffect.Read),
        new(ReflectionV1.Descriptor, "ServerReflectionInfo", CallerRole.Anonymous, null, RpcEffect.Read),
        new(ReflectionV1Alpha.Descriptor, "ServerReflectionInfo", CallerRole.Anonymous, null, RpcEffect.Read),
    ];
}
