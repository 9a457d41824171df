using System.Collections.Concurrent;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using Serilog.Core;
using Serilog.Events;
using PartnerExchange.Server.Tests.Hosting;

namespace PartnerExchange.Server.Tests.Policy;

/// <summary>
/// The table of RPC policies against the proto descriptors: every RPC has exactly one policy, every policy names an
/// RPC that exists, a write's request carries its idempotency key, and a partner's write draws the writes bucket.
/// A table that fails any of these, or a served RPC without a policy, stops the exchange from starting.
/// </summary>
public sealed class RpcPoliciesTests
{
    private const string Accrue = "/partnerexchange.v1.PointsService/Accrue";

    [Fact]
    public void ExchangeTable_MatchesTheProtos()
    {
        Assert.Empty(ProblemsOf(Table(ExchangeTable)));
    }

    [Fact]
    public void Rejects_RpcWithoutPolicy()
    {
        var problems = ProblemsOf(Table(ExchangeTable.Where(p => PathOf(p) != Accrue)));

        Assert.Contains(problems, p => p.Contains("partnerexchange.v1.PointsService.Accrue has no policy", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_PolicyOfRpcThatDoesNotExist()
    {
        var problems = ProblemsOf(Table([.. ExchangeTable, Policy(PointsService.Descriptor, "Transfer", "Partner", "Writes", "Write")]));

        Assert.Contains(problems, p => p.Contains("has no RPC Transfer", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_TwoPoliciesOfOneRpc()
    {
        var problems = ProblemsOf(Table([.. ExchangeTable, Policy(PointsService.Descriptor, "Accrue", "Partner", "Writes", "Write")]));

        Assert.Contains(problems, p => p.Contains(Accrue + " has two policies", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("GetTransaction", "AnyKey", "Writes", "Write")]  // A write whose request has no idempotency key.
    [InlineData("Accrue", "Partner", "Writes", "Read")]          // A read whose request carries one.
    [InlineData("Accrue", "Partner", "Reads", "Write")]          // A partner's write outside the writes bucket.
    [InlineData("ListRates", "Partner", "Writes", "Read")]       // A partner's read in the writes bucket.
    [InlineData("Quote", "Anonymous", "Quotes", "Read")]         // An anonymous RPC with a bucket (it has no caller).
    [InlineData("Quote", "Operator", "Quotes", "Read")]          // An operator RPC outside the operators' bucket.
    [InlineData("Quote", "Partner", null, "Read")]               // A partner RPC without a bucket.
    public void Rejects_PolicyThatContradictsItsRpc(string rpc, string role, string? limitClass, string effect)
    {
        var service = rpc is "ListRates" or "Quote" ? ConversionService.Descriptor : PointsService.Descriptor;
        var path = $"/{service.FullName}/{rpc}";

        var problems = ProblemsOf(Table([.. ExchangeTable.Where(p => PathOf(p) != path), Policy(service, rpc, role, limitClass, effect)]));

        Assert.Contains(problems, p => p.Contains($"{service.FullName}.{rpc}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_RpcWithoutPolicy_FailsAndLogsCritical()
    {
        var logs = new Sink();
        await using var app = Host(logs, Table(ExchangeTable.Where(p => PathOf(p) != Accrue)));

        await Assert.ThrowsAsync<InvalidOperationException>(() => ExchangeHost.StartAsync(app, CancellationToken.None));

        Assert.Contains(logs.Events, e => e.Level == LogEventLevel.Fatal && e.RenderMessage().Contains("PointsService.Accrue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_ServedRpcWithoutPolicy_FailsAndLogsCritical()
    {
        var logs = new Sink();
        await using var app = Host(logs, Table(ExchangeTable));
        app.MapGrpcService<EchoApi>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => ExchangeHost.StartAsync(app, CancellationToken.None));

        Assert.Contains(logs.Events, e => e.Level == LogEventLevel.Fatal && e.RenderMessage().Contains("EchoService/Echo", StringComparison.Ordinal));
    }

    // ---- Helpers: the policy types are the server's own (internal), reached by reflection ----

    private static IEnumerable<object> ExchangeTable =>
        (IEnumerable<object>)ServerParts.TypeOf("Policy.ExchangeRpcPolicies").GetProperty("All")!.GetValue(null)!;

    private static object Policy(ServiceDescriptor service, string rpc, string role, string? limitClass, string effect) =>
        ServerParts.New("Policy.RpcPolicy", service, rpc, ServerParts.EnumValue("Policy.CallerRole", role),
            limitClass is null ? null : ServerParts.EnumValue("RateLimiting.LimitClass", limitClass), ServerParts.EnumValue("Policy.RpcEffect", effect));

    private static object Table(IEnumerable<object> policies) =>
        ServerParts.New("Policy.RpcPolicies", ServerParts.ListOf(ServerParts.TypeOf("Policy.RpcPolicy"), policies));

    private static IReadOnlyList<string> ProblemsOf(object table) => (IReadOnlyList<string>)ServerParts.Get(table, "Problems")!;

    private static string PathOf(object policy) => (string)ServerParts.Get(policy, "Path")!;

    /// <summary>An exchange host, built and not started, with <paramref name="table"/> as its policies.</summary>
    private static WebApplication Host(Sink logs, object table) => ExchangeHost.Build([], new Dictionary<string, string?>
    {
        ["Exchange:Listen"] = "http://127.0.0.1:0",
        ["Exchange:OperatorKey"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Ledger:DatabasePath"] = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"), "exchange.db"),
        ["Redis:Configuration"] = RedisServer.Shared.Configuration,
        ["Serilog:MinimumLevel:Default"] = "Warning",
    }, logging => logging.WriteTo.Sink(logs), services => services.AddSingleton(table.GetType(), table));

    private sealed class Sink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public IReadOnlyCollection<LogEvent> Events => _events;

        public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
    }
}
