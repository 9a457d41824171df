using Grpc.AspNetCore.Server;

namespace PartnerExchange.Server.Policy;

/// <summary>
/// Runs at start, before the ledger is opened: the policy table must match the protos, and every RPC the host
/// serves must have a policy. Otherwise each problem is logged and the server does not start, rather than serve an
/// RPC whose role or limit nobody declared.
/// </summary>
internal static partial class PolicyCheck
{
    public static void ThrowIfIncomplete(WebApplication app)
    {
        var policies = app.Services.GetRequiredService<RpcPolicies>();
        var served = ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(source => source.Endpoints)
            .Select(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.FullName)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);
        var problems = policies.Problems
            .Concat(served.Where(path => policies.Find(path) is null)
                .Select(path => $"{path} is served but has no policy; declare it in {nameof(ExchangeRpcPolicies)}."))
            .ToList();
        if (problems.Count == 0)
        {
            return;
        }
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PolicyCheck));
        foreach (var problem in problems)
        {
            LogProblem(logger, problem);
        }
        throw new InvalidOperationException($"The RPC policies do not match the protos; the exchange does not start: {string.Join(" ", problems)}");
    }

    [LoggerMessage(EventId = 1901, Level = LogLevel.Critical, Message = "RPC policy: {Problem} The exchange does not start")]
    private static partial void LogProblem(ILogger logger, string problem);
}
