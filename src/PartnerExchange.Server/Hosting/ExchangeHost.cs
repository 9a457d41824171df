using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using PartnerExchange.Ledger;
using PartnerExchange.Ledger.Settlement;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Conversion;
using PartnerExchange.Server.Events;
using PartnerExchange.Server.Expiry;
using PartnerExchange.Server.Metrics;
using PartnerExchange.Server.Policy;
using PartnerExchange.Server.RateLimiting;
using PartnerExchange.Server.Redis;
using PartnerExchange.Server.Security;
using PartnerExchange.Server.Settlement;
using PartnerExchange.Server.Services;
using PartnerExchange.Server.Writes;
using Serilog;
using Serilog.Formatting.Compact;

namespace PartnerExchange.Server.Hosting;

/// <summary>
/// Builds and starts the exchange: configuration, logging, the ledger, the gRPC services and their
/// cross-cutting steps. Tests start it the same way the executable does.
/// </summary>
public static class ExchangeHost
{
    /// <summary>Environment variables the exchange reads, mapped onto configuration keys.</summary>
    private static readonly (string Variable, string Key)[] EnvironmentSettings =
    [
        ("PX_LISTEN", "Exchange:Listen"),
        ("PX_OPERATOR_KEY", "Exchange:OperatorKey"),
        ("PX_LOG_FORMAT", "Exchange:LogFormat"),
        ("PX_REDIS", "Redis:Configuration"),
        ("PX_POSTGRES", "Ledger:Postgres"),
        ("PX_METRICS_LISTEN", "Metrics:Listen"),
        ("PX_TLS_CERT", "Tls:CertificatePath"),
        ("PX_TLS_KEY", "Tls:KeyPath"),
        ("PX_TLS_CLIENT_CA", "Tls:ClientCertificateAuthorityPath"),
    ];

    /// <summary>Creates the application from command-line arguments and the PX_* environment variables.</summary>
    /// <param name="args">Command-line arguments (configuration overrides such as --Ledger:MaxGroupSize=128).</param>
    /// <param name="overrides">Configuration values that win over every other source (tests use them).</param>
    /// <param name="logging">Extra Serilog configuration, e.g. a sink that records errors in tests.</param>
    /// <param name="services">Last word on the services, e.g. a fake clock in tests.</param>
    public static WebApplication Build(
        string[] args, IDictionary<string, string?>? overrides = null, Action<LoggerConfiguration>? logging = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(FromEnvironment());
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }
        ConfigureLogging(builder, logging);
        ConfigureKestrel(builder);
        ConfigureServices(builder.Services, builder.Configuration);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseMiddleware<TransportRefusals>();
        app.MapGrpcService<PointsApi>();
        app.MapGrpcService<ConversionApi>();
        app.MapGrpcService<AdminApi>();
        app.MapGrpcService<SettlementApi>();
        app.MapGrpcService<DiagnosticsApi>();
        app.MapGrpcService<EventsApi>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        MapMetrics(app);
        return app;
    }

    /// <summary>
    /// Checks every served RPC's policy, applies migrations, then starts serving. Nothing is served before the schema is
    /// current, nor at all while an RPC has no policy.
    /// </summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        PolicyCheck.ThrowIfIncomplete(app);
        var ledger = app.Services.GetRequiredService<LedgerDatabase>();
        LedgerEngineLog.LogChosen(app.Logger, ledger);
        await ledger.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var quoteKey = await ledger.GetOrCreateSecretAsync(QuoteTokens.SettingName, 32, cancellationToken).ConfigureAwait(false);
        app.Services.GetRequiredService<QuoteKeyHolder>().Key = quoteKey;
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        ExchangeVersion.LogServing(app.Logger, string.Join(", ", addresses));
    }

    private static Dictionary<string, string?> FromEnvironment()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (variable, key) in EnvironmentSettings)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                settings[key] = value;
            }
        }
        var dataDir = Environment.GetEnvironmentVariable("PX_DATA_DIR") is { Length: > 0 } dir ? dir : ".px";
        settings["Ledger:DatabasePath"] = Path.Combine(dataDir, "exchange.db");
        return settings;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder, Action<LoggerConfiguration>? extra)
    {
        var json = string.Equals(builder.Configuration["Exchange:LogFormat"], "json", StringComparison.OrdinalIgnoreCase);
        // Each exchange keeps its own logger: without preserveStaticLogger the logging factory writes through Serilog's static
        // Log.Logger, which the last exchange built in the process would own (two in one test run logged into each other).
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration).Enrich.FromLogContext();
            extra?.Invoke(logger);
            if (json)
            {
                logger.WriteTo.Console(new CompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        }, preserveStaticLogger: true);
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder)
    {
        var listen = new Uri(builder.Configuration["Exchange:Listen"] ?? "http://127.0.0.1:5080");
        var tls = builder.Configuration.GetSection("Tls").Get<TlsOptions>() ?? new TlsOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(System.Net.IPAddress.Parse(listen.Host), listen.Port, o =>
            {
                // gRPC is HTTP/2 only: over TLS it is agreed by ALPN; cleartext needs it without negotiation (h2c).
                o.Protocols = HttpProtocols.Http2;
                if (listen.Scheme == Uri.UriSchemeHttps)
                {
                    o.UseHttps(tls.ToHttpsOptions());
                }
                else if (tls.IsConfigured)
                {
                    throw new InvalidOperationException(
                        "A TLS certificate is configured (Tls:CertificatePath, PX_TLS_CERT) but Exchange:Listen (PX_LISTEN) is " +
                        $"'{listen}': make it an https:// address, or remove the certificate.");
                }
            });
            // Scrapers speak HTTP/1.1, so the metrics endpoint has a port of its own.
            if (MetricsEndPoint(builder.Configuration) is { } metrics)
            {
                kestrel.Listen(metrics, o => o.Protocols = HttpProtocols.Http1);
            }
        });
    }

    private static System.Net.IPEndPoint? MetricsEndPoint(IConfiguration configuration) =>
        configuration.GetSection("Metrics").Get<MetricsOptions>()?.EndPoint;

    /// <summary>
    /// Collects the writer's, the calls', ASP.NET Core's and the runtime's instruments for Prometheus, when
    /// Metrics:Listen is set. Off, nothing listens to the instruments, so they cost next to nothing.
    /// </summary>
    private static void AddMetricsExport(IServiceCollection services, IConfiguration configuration)
    {
        if (MetricsEndPoint(configuration) is null)
        {
            return;
        }
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(WriterMetrics.MeterName, CallMetrics.MeterName)
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel", "System.Runtime")
            // Every scrape is collected afresh; the exporter's default keeps an answer for 300 ms.
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        services.AddSingleton<LedgerThreadMetrics>();
    }

    private static void MapMetrics(WebApplication app)
    {
        if (MetricsEndPoint(app.Configuration) is { } metrics)
        {
            app.Services.GetRequiredService<LedgerThreadMetrics>();
            // Only on the metrics port: the gRPC port serves the API and nothing else.
            app.UseOpenTelemetryPrometheusScrapingEndpoint(
                context => context.Connection.LocalPort == metrics.Port && context.Request.Path == "/metrics");
        }
    }

    private static void ConfigureServices(IServiceCollection services, ConfigurationManager configuration)
    {
        services.AddOptions<LedgerOptions>().Bind(configuration.GetSection("Ledger")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ExchangeOptions>().Bind(configuration.GetSection("Exchange")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection("Redis")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SettlementOptions>().Bind(configuration.GetSection("Settlement")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ExpiryOptions>().Bind(configuration.GetSection("Expiry")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection("Metrics")).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TlsOptions>().Bind(configuration.GetSection("Tls")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new RpcPolicies(ExchangeRpcPolicies.All));
        services.AddLedger();
        services.AddSingleton<SettlementQueries>();
        services.AddSingleton<SettlementAudit>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<KeyRevocations>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyRevocations>());
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<IdempotencyCache>();
        services.AddSingleton<IdempotentWrites>();
        services.AddSingleton<ExpiryRunner>();
        services.AddHostedService<ExpiryJob>();
        services.AddSingleton<QuoteKeyHolder>();
        services.AddSingleton(sp => new QuoteTokens(sp.GetRequiredService<QuoteKeyHolder>().Key));
        services.AddSingleton<CallMetrics>();
        AddMetricsExport(services, configuration);
        services.AddSingleton<CallLoggingInterceptor>();
        services.AddSingleton<AuthenticationInterceptor>();
        services.AddSingleton<UnreadableRequestInterceptor>();
        services.AddRateLimiting(configuration);
        services.AddEventStreams(configuration);
        // The fixed order of every call: log and guard → authenticate → rate limit → refuse an unreadable request →
        // the service (which validates, then takes the idempotent write path).
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<CallLoggingInterceptor>();
            grpc.Interceptors.Add<AuthenticationInterceptor>();
            grpc.Interceptors.Add<RateLimitInterceptor>();
            grpc.Interceptors.Add<UnreadableRequestInterceptor>();
            grpc.EnableDetailedErrors = false;
        });
        services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>()
            .Configure<IOptions<ExchangeOptions>>((grpc, exchange) => grpc.MaxReceiveMessageSize = exchange.Value.HardRequestBytesCap);
        // The exchange ("") is up while its ledger answers; Redis reports under its own name, so an outage
        // shows there as NOT_SERVING while the exchange keeps serving, degraded.
        services.AddGrpcHealthChecks(health =>
            {
                health.Services.Map("", result => result.Tags.Contains("ledger"));
                health.Services.Map(RedisHealthCheck.ServiceName, result => result.Name == "redis");
            })
            .AddCheck<LedgerHealthCheck>("ledger", tags: ["ledger"])
            .AddCheck<RedisHealthCheck>("redis");
        services.AddGrpcReflection();
        // Last, after everything that adds grpc-dotnet's own binder: every service is bound with marshallers that
        // never throw, so an unreadable request is refused after authentication, not before.
        services.RemoveAll(typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>));
        services.AddSingleton(typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>), typeof(TolerantServiceMethodProvider<>));
    }
}

/// <summary>The quote signing key, read from the database at start before anything is served.</summary>
internal sealed class QuoteKeyHolder
{
    private byte[]? _key;

    public byte[] Key
    {
        get => _key ?? throw new InvalidOperationException("The quote signing key is read at start; the host was not started with ExchangeHost.StartAsync.");
        set => _key = value;
    }
}
