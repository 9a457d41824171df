using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PartnerExchange.Server.Hosting;
using PartnerExchange.V1;
using Serilog.Core;
using Serilog.Events;

namespace PartnerExchange.Testing;

/// <summary>
/// The real exchange on a free loopback port with its own SQLite file, called through a real GrpcChannel.
/// One per test class (xunit class fixture); tests create their own partners so they never collide.
/// </summary>
public sealed class RunningExchange : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"));
    private readonly ErrorSink _errors = new();
    private WebApplication? _app;
    private int _partnerCounter;

    public RunningExchange() => DatabasePath = Path.Combine(_folder, "exchange.db");

    public string OperatorKey { get; set; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>The ledger file; set it before start to share one database between two servers.</summary>
    public string DatabasePath { get; set; }

    public GrpcChannel Channel { get; private set; } = null!;

    public Uri Address { get; private set; } = null!;

    /// <summary>Error and critical log events the server wrote; a test fails when one appears unexpectedly.</summary>
    public IReadOnlyCollection<LogEvent> ErrorLogs => _errors.Events;

    /// <summary>Every log event the server wrote at or above the configured minimum level (Warning unless a fixture lowers it).</summary>
    public IReadOnlyCollection<LogEvent> Logs => _errors.All;

    /// <summary>Extra configuration for a fixture that needs it (e.g. a short quote lifetime).</summary>
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>The server's clock, when a fixture drives time itself (expiry, say); the system clock otherwise.</summary>
    public TimeProvider? Clock { get; set; }

    /// <summary>The handler of <see cref="Channel"/>, when a fixture needs its own (TLS trust, a client certificate).</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>More services for the host, registered after the exchange's own (a test-only policy table, say).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>More endpoints, mapped before the host starts (a test-only gRPC service, say).</summary>
    public Action<WebApplication>? MapEndpoints { get; set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var overrides = new Dictionary<string, string?>
        {
            ["Exchange:Listen"] = "http://127.0.0.1:0",
            ["Exchange:OperatorKey"] = OperatorKey,
            ["Ledger:DatabasePath"] = DatabasePath,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // Production runs with Redis, so do the tests: the assembly's shared server, a prefix per fixture.
            ["Redis:Configuration"] = RedisServer.Shared.Configuration,
            ["Redis:KeyPrefix"] = "t" + Guid.NewGuid().ToString("N")[..8],
            // Many tests fire bursts at one member; the velocity limit has its own tests and fixtures.
            ["RateLimits:MemberVelocity:RequestsPerSecond"] = "1000000",
            ["RateLimits:MemberVelocity:Burst"] = "1000000",
        };
        foreach (var (key, value) in Settings)
        {
            overrides[key] = value;
        }
        _app = ExchangeHost.Build([], overrides, logging => logging.WriteTo.Sink(_errors), services =>
        {
            if (Clock is not null)
            {
                services.AddSingleton(Clock);
            }
            ConfigureServices?.Invoke(services);
        });
        MapEndpoints?.Invoke(_app);
        await ExchangeHost.StartAsync(_app, CancellationToken.None);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address);
        Channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions { HttpHandler = HttpHandler });
    }

    public async Task DisposeAsync()
    {
        Channel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>The running server's services, for a test that looks inside one (a cache, say).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The exchange is not running.");

    /// <summary>
    /// Seeds the demo network as <c>--demo</c> does at start (its program codes are fixed, so one fixture per test
    /// class that uses it) and returns the banner it prints. The demo is internal to the server: reached by reflection.
    /// </summary>
    public async Task<string> SeedDemoAsync()
    {
        var demo = typeof(ExchangeHost).Assembly.GetType("PartnerExchange.Server.Demo.DemoNetwork", throwOnError: true)!;
        var seed = demo.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Single(m => m.Name == "SeedAndPrintAsync" && m.GetParameters().Length == 4);
        using var output = new StringWriter();
        await (Task)seed.Invoke(null, [Services, Address.ToString(), output, CancellationToken.None])!;
        return output.ToString();
    }

    public static Metadata Bearer(string key) => new() { { "authorization", $"Bearer {key}" } };

    public AdminService.AdminServiceClient Admin() => new(Channel.Intercept(m => AddKey(m, OperatorKey)));

    public PointsService.PointsServiceClient Points(string key) => new(Channel.Intercept(m => AddKey(m, key)));

    public ConversionService.ConversionServiceClient Conversions(string key) => new(Channel.Intercept(m => AddKey(m, key)));

    /// <summary>A program code no other test in this fixture uses.</summary>
    public string NewProgramCode(string prefix = "P")
    {
        var code = $"{prefix}{Interlocked.Increment(ref _partnerCounter)}{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";
        return code.Length <= 16 ? code : code[..16];
    }

    /// <summary>Creates an active partner (USD, 0.01 per point, 1 point per USD 1.00) and a partner key for it.</summary>
    public async Task<TestPartner> CreatePartnerAsync(string? programCode = null, long pointPriceMicros = 10_000, string currency = "USD")
    {
        var code = programCode ?? NewProgramCode();
        var admin = Admin();
        await admin.CreatePartnerAsync(new CreatePartnerRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            ProgramCode = code,
            DisplayName = $"Partner {code}",
            ProgramName = $"{code} Points",
            Kind = PartnerKind.Retailer,
            SettlementCurrencyCode = currency,
            PointPriceMicros = pointPriceMicros,
            EarnRule = new EarnRule { CurrencyCode = currency, Points = 1, PerAmountMinor = 100 },
        });
        var key = await CreatePartnerKeyAsync(code);
        return new TestPartner(this, code, key.Secret);
    }

    /// <summary>Creates another partner key of <paramref name="programCode"/>: its id (to revoke it) and its secret.</summary>
    public async Task<CreateApiKeyResponse> CreatePartnerKeyAsync(string programCode, string label = "tests") =>
        await Admin().CreateApiKeyAsync(new CreateApiKeyRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            Role = ApiKeyRole.Partner,
            ProgramCode = programCode,
            Label = label,
        });

    /// <summary>Sets a plain rate from → to with the given ratio, min 1, max 1,000,000, increment 1, no fee or bonus.</summary>
    public Task<SetExchangeRateResponse> SetRateAsync(string from, string to, long fromPoints, long toPoints, long fee = 0) =>
        Admin().SetExchangeRateAsync(new SetExchangeRateRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            FromProgramCode = from,
            ToProgramCode = to,
            FromPoints = fromPoints,
            ToPoints = toPoints,
            MinSourcePoints = fromPoints,
            MaxSourcePoints = fromPoints * 1_000_000,
            IncrementPoints = 1,
            MemberFeePoints = fee,
            Enabled = true,
        }).ResponseAsync;

    private static Metadata AddKey(Metadata metadata, string key)
    {
        metadata.Add("authorization", $"Bearer {key}");
        return metadata;
    }

    private sealed class ErrorSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();
        private readonly ConcurrentQueue<LogEvent> _all = new();

        public IReadOnlyCollection<LogEvent> Events => _events;

        public IReadOnlyCollection<LogEvent> All => _all;

        public void Emit(LogEvent logEvent)
        {
            _all.Enqueue(logEvent);
            if (logEvent.Level >= LogEventLevel.Error)
            {
                _events.Enqueue(logEvent);
            }
        }
    }
}

/// <summary>A partner created for a test, with its key and typed clients.</summary>
public sealed record TestPartner(RunningExchange Exchange, string ProgramCode, string Key)
{
    public PointsService.PointsServiceClient Points => Exchange.Points(Key);

    public ConversionService.ConversionServiceClient Conversions => Exchange.Conversions(Key);

    public async Task<string> EnrollAsync(string? memberNumber = null)
    {
        var member = memberNumber ?? "M" + Guid.NewGuid().ToString("N")[..10];
        await Points.EnrollMemberAsync(new EnrollMemberRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member });
        return member;
    }

    public async Task<AccrueResponse> AccrueAsync(string member, long points) =>
        await Points.AccrueAsync(new AccrueRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            MemberNumber = member,
            Points = points,
            Reason = AccrualReason.Promotion,
        });

    public async Task<long> BalanceAsync(string member) =>
        (await Points.GetAccountAsync(new GetAccountRequest { MemberNumber = member })).BalancePoints;
}
