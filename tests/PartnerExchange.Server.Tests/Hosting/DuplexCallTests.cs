using System.Collections;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Tests.EchoContract;
using PartnerExchange.Testing;
using PartnerExchange.V1;
using Serilog.Events;

namespace PartnerExchange.Server.Tests.Hosting;

/// <summary>
/// The exchange with one more service, <c>EchoService</c> from a test-only proto, whose only RPC is duplex. Its policy
/// (partner key, reads bucket of one request a second) is added to the exchange's own table, so the host starts. The
/// server's policy types are internal: they are reached by reflection, as the tests see the server from outside.
/// </summary>
public sealed class EchoExchange : IAsyncLifetime
{
    private readonly RunningExchange _exchange = new();

    public string OperatorKey => _exchange.OperatorKey;

    public GrpcChannel Channel => _exchange.Channel;

    /// <summary>Error and critical events the server logged.</summary>
    public IReadOnlyCollection<LogEvent> ErrorLogs => _exchange.ErrorLogs;

    public Task InitializeAsync()
    {
        _exchange.Settings["RateLimits:Reads:RequestsPerSecond"] = "1";
        _exchange.Settings["RateLimits:Reads:Burst"] = "1";
        var policies = PoliciesWithEcho();
        _exchange.ConfigureServices = services => services.AddSingleton(policies.GetType(), policies);
        _exchange.MapEndpoints = app => app.MapGrpcService<EchoApi>();
        return _exchange.InitializeAsync();
    }

    public Task DisposeAsync() => _exchange.DisposeAsync();

    public EchoService.EchoServiceClient Echo(string? key) =>
        new(key is null ? Channel.CreateCallInvoker() : Channel.Intercept(m => WithKey(m, key)));

    /// <summary>A new partner and its key.</summary>
    public async Task<string> CreatePartnerKeyAsync()
    {
        var admin = new AdminService.AdminServiceClient(Channel.Intercept(m => WithKey(m, OperatorKey)));
        var code = "E" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await admin.CreatePartnerAsync(new CreatePartnerRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ProgramCode = code,
            DisplayName = $"Partner {code}",
            ProgramName = $"{code} Points",
            Kind = PartnerKind.Retailer,
            SettlementCurrencyCode = "USD",
            PointPriceMicros = 10_000,
        });
        var key = await admin.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            Role = ApiKeyRole.Partner,
            ProgramCode = code,
            Label = "echo",
        });
        return key.Secret;
    }

    private static Metadata WithKey(Metadata metadata, string key)
    {
        metadata.Add("authorization", $"Bearer {key}");
        return metadata;
    }

    /// <summary>The exchange's policy table plus Echo's: a partner key, the reads bucket, a read.</summary>
    private static object PoliciesWithEcho()
    {
        var server = typeof(ExchangeHost).Assembly;
        Type Internal(string name) => server.GetType("PartnerExchange.Server." + name, throwOnError: true)!;
        var policyType = Internal("Policy.RpcPolicy");
        var policies = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(policyType))!;
        foreach (var policy in (IEnumerable)Internal("Policy.ExchangeRpcPolicies").GetProperty("All")!.GetValue(null)!)
        {
            policies.Add(policy);
        }
        policies.Add(Activator.CreateInstance(policyType, EchoService.Descriptor, "Echo",
            Enum.Parse(Internal("Policy.CallerRole"), "Partner"), Enum.Parse(Internal("RateLimiting.LimitClass"), "Reads"),
            Enum.Parse(Internal("Policy.RpcEffect"), "Read")));
        return Activator.CreateInstance(Internal("Policy.RpcPolicies"), policies)!;
    }
}

/// <summary>
/// The test-only duplex service: echoes each message, throws on "fail" as a bug would, and on "write" asks the
/// exchange's idempotent write path for the call's scope, as a read RPC wired to the write path by mistake would.
/// </summary>
public sealed class EchoApi(IServiceProvider services) : EchoService.EchoServiceBase
{
    public override async Task Echo(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requestStream);
        ArgumentNullException.ThrowIfNull(responseStream);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (request.Text == "fail")
            {
                throw new InvalidOperationException("A bug in a duplex handler, with a detail no client may see.");
            }
            if (request.Text == "write")
            {
                TakeTheWritePath(context, request);
            }
            await responseStream.WriteAsync(new EchoResponse { Text = request.Text });
        }
    }

    private void TakeTheWritePath(ServerCallContext context, EchoRequest request)
    {
        var writes = services.GetRequiredService(ServerParts.TypeOf("Writes.IdempotentWrites"));
        var scopeOf = writes.GetType().GetMethod("ScopeOf")!.MakeGenericMethod(typeof(EchoRequest));
        try
        {
            scopeOf.Invoke(writes, [context, request]);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }
}

/// <summary>
/// A duplex call goes through the same steps as every other call, in the same order: authentication and the role
/// check, the rate limit, and the error boundary — proved on a real server through a real channel. And an RPC its
/// policy declares a read cannot take the idempotent write path.
/// </summary>
public sealed class DuplexCallTests(EchoExchange exchange) : IClassFixture<EchoExchange>
{
    [Fact]
    public async Task Echo_WithPartnerKey_EchoesEachMessage()
    {
        var key = await exchange.CreatePartnerKeyAsync();

        var answers = await EchoAsync(exchange.Echo(key), "one", "two");

        Assert.Equal(["one", "two"], answers);
    }

    [Fact]
    public async Task Echo_WithoutKey_FailsWithApiKeyMissing()
    {
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_MISSING", () => EchoAsync(exchange.Echo(null), "hello"));
    }

    [Fact]
    public async Task Echo_WithOperatorKey_FailsWithPartnerKeyRequired()
    {
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "PARTNER_KEY_REQUIRED", () => EchoAsync(exchange.Echo(exchange.OperatorKey), "hello"));
    }

    [Fact]
    public async Task Echo_OverTheReadsLimit_FailsWithRateLimited()
    {
        var echo = exchange.Echo(await exchange.CreatePartnerKeyAsync());

        // One call a second, burst one: a few calls in a row cannot all be admitted.
        RpcException? refused = null;
        for (var call = 0; call < 20 && refused is null; call++)
        {
            refused = await Record.ExceptionAsync(() => EchoAsync(echo, "hello")) as RpcException;
        }

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("RATE_LIMITED", RpcAssert.ReasonOf(refused));
        Assert.Equal("reads", RpcAssert.InfoOf(refused)!.Metadata["limit_class"]);
    }

    [Fact]
    public async Task Echo_HandlerThrows_FailsInternalWithoutDetailAndLogsTheError()
    {
        var echo = exchange.Echo(await exchange.CreatePartnerKeyAsync());
        var errorsBefore = exchange.ErrorLogs.Count;

        var error = await RpcAssert.FailsAsync(StatusCode.Internal, "INTERNAL", () => EchoAsync(echo, "fail"));

        Assert.DoesNotContain("bug", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        var logged = Assert.Single(exchange.ErrorLogs.Skip(errorsBefore));
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    [Fact]
    public async Task Echo_ReadRpcTakingTheWritePath_FailsInternalAndLogsWhy()
    {
        var echo = exchange.Echo(await exchange.CreatePartnerKeyAsync());
        var errorsBefore = exchange.ErrorLogs.Count;

        await RpcAssert.FailsAsync(StatusCode.Internal, "INTERNAL", () => EchoAsync(echo, "write"));

        var logged = Assert.Single(exchange.ErrorLogs.Skip(errorsBefore));
        var bug = Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Contains("declares it a read", bug.Message, StringComparison.Ordinal);
    }

    private static async Task<List<string>> EchoAsync(EchoService.EchoServiceClient echo, params string[] texts)
    {
        using var call = echo.Echo();
        try
        {
            foreach (var text in texts)
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Text = text });
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server ended the call before reading everything (a refusal): its status is read below, with its details.
        }
        var answers = new List<string>();
        await foreach (var answer in call.ResponseStream.ReadAllAsync())
        {
            answers.Add(answer.Text);
        }
        return answers;
    }
}
