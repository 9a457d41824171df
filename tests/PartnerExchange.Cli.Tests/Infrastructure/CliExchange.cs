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

namespace PartnerExchange.Cli.Tests.Infrastructure;

/// <summary>
/// The real exchange on a free loopback port with its own SQLite file and no Redis (the exchange runs without it),
/// plus a way to run pxctl against it in-process. One per test class; tests create their own partners.
/// </summary>
public sealed class CliExchange : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-cli-tests", Guid.NewGuid().ToString("N"));
    private readonly ErrorSink _errors = new();
    private WebApplication? _app;
    private int _partnerCounter;

    public string OperatorKey { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public string Address { get; private set; } = "";

    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>A folder for the test's files (exports, partner records); removed with the fixture.</summary>
    public string Folder => _folder;

    /// <summary>Error and critical log events the server wrote.</summary>
    public IReadOnlyCollection<LogEvent> ErrorLogs => _errors.Events;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var overrides = new Dictionary<string, string?>
        {
            ["Exchange:Listen"] = "http://127.0.0.1:0",
            ["Exchange:OperatorKey"] = OperatorKey,
            ["Ledger:DatabasePath"] = Path.Combine(_folder, "exchange.db"),
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["RateLimits:MemberVelocity:RequestsPerSecond"] = "1000000",
            ["RateLimits:MemberVelocity:Burst"] = "1000000",
        };
        _app = ExchangeHost.Build([], overrides, logging => logging.WriteTo.Sink(_errors));
        await ExchangeHost.StartAsync(_app, CancellationToken.None);
        Address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Channel = GrpcChannel.ForAddress(Address);
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

    /// <summary>
    /// Runs pxctl in-process against this exchange with the operator key in PX_OPERATOR_KEY and the address in
    /// PX_ADDRESS, as an operator's shell would have them.
    /// </summary>
    public Task<CliRun> PxctlAsync(params string[] args) => PxctlWithEnvironmentAsync(
        new Dictionary<string, string> { ["PX_ADDRESS"] = Address, ["PX_OPERATOR_KEY"] = OperatorKey }, args);

    /// <summary>Runs pxctl in-process with exactly the given environment variables.</summary>
    public static async Task<CliRun> PxctlWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Cli.RunAsync(args, stdout, stderr, name => environment.GetValueOrDefault(name));
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A program code no other test in this fixture uses.</summary>
    public string NewProgramCode(string prefix = "P")
    {
        var code = $"{prefix}{Interlocked.Increment(ref _partnerCounter)}{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";
        return code.Length <= 16 ? code : code[..16];
    }

    public AdminService.AdminServiceClient Admin() => new(Channel.Intercept(metadata => AddKey(metadata, OperatorKey)));

    public PointsService.PointsServiceClient Points(string key) => new(Channel.Intercept(metadata => AddKey(metadata, key)));

    public ConversionService.ConversionServiceClient Conversions(string key) => new(Channel.Intercept(metadata => AddKey(metadata, key)));

    /// <summary>Creates an active partner (USD by default) through the API and a partner key for it.</summary>
    public async Task<(string Code, string Key)> CreatePartnerAsync(long pointPriceMicros = 10_000, string currency = "USD")
    {
        var code = NewProgramCode();
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
        });
        var key = await admin.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            IdempotencyKey = Guid.NewGuid().ToString("N"),
            Role = ApiKeyRole.Partner,
            ProgramCode = code,
            Label = "tests",
        });
        return (code, key.Secret);
    }

    private static Metadata AddKey(Metadata metadata, string key)
    {
        metadata.Add("authorization", $"Bearer {key}");
        return metadata;
    }

    private sealed class ErrorSink : ILogEventSink
    {
        private readonly ConcurrentQueue<LogEvent> _events = new();

        public IReadOnlyCollection<LogEvent> Events => _events;

        public void Emit(LogEvent logEvent)
        {
            if (logEvent.Level >= LogEventLevel.Error)
            {
                _events.Enqueue(logEvent);
            }
        }
    }
}

/// <summary>What one pxctl run returned and printed.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Parses stdout as the one JSON document of <c>--output json</c>.</summary>
    public System.Text.Json.JsonElement Json()
    {
        using var document = System.Text.Json.JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
