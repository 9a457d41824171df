using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PartnerExchange.Server.Hosting;
using PartnerExchange.Server.Metrics;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Metrics;

/// <summary>A server with its Prometheus endpoint on a port of its own.</summary>
public sealed class MetricsExchange : IAsyncLifetime
{
    public RunningExchange Exchange { get; } = new();

    public Uri MetricsAddress { get; } = new($"http://127.0.0.1:{LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture)}/metrics");

    public Task InitializeAsync()
    {
        Exchange.Settings["Metrics:Listen"] = MetricsAddress.GetLeftPart(UriPartial.Authority);
        return Exchange.InitializeAsync();
    }

    public Task DisposeAsync() => Exchange.DisposeAsync();
}

/// <summary>The metrics endpoint over real HTTP: the calls, the writer and the runtime, in Prometheus text.</summary>
[Collection(nameof(MetricsRunAlone))]
public sealed class MetricsTests(MetricsExchange fixture) : IntegrationTest(fixture.Exchange), IClassFixture<MetricsExchange>
{
    [Fact]
    public async Task Metrics_AfterCalls_CountsEachByMethodAndStatus()
    {
        await NewPartnerAccruesThenIsRefusedAsync();

        var text = await ScrapeAsync();

        Assert.True(Count(text, "partnerexchange_rpc_duration_seconds_count", "rpc_method=\"Accrue\"", "rpc_grpc_status_code=\"OK\"") >= 1, text);
        Assert.True(Count(text, "partnerexchange_rpc_duration_seconds_count", "rpc_method=\"Redeem\"",
            "rpc_grpc_status_code=\"FAILED_PRECONDITION\"", "rpc_service=\"partnerexchange.v1.PointsService\"") >= 1, text);
    }

    [Fact]
    public async Task Metrics_AfterCalls_CountEachPartnersCallsByOutcome()
    {
        var shop = await NewPartnerAccruesThenIsRefusedAsync();
        var partner = $"partner=\"{shop.ProgramCode}\"";

        var text = await ScrapeAsync();

        // Enrolment and accrual; the partner is new, so these are all of its calls.
        Assert.Equal(2, Count(text, "partnerexchange_partner_calls_total", partner, "outcome=\"ok\""));
        Assert.Equal(1, Count(text, "partnerexchange_partner_calls_total", partner, "outcome=\"refused\""));
        Assert.Equal(0, Count(text, "partnerexchange_partner_calls_total", partner, "outcome=\"failed\""));
        // Creating the partner and its key were the operator's calls.
        Assert.True(Count(text, "partnerexchange_partner_calls_total", "partner=\"operator\"", "outcome=\"ok\"") >= 2, text);
    }

    [Fact]
    public async Task Metrics_CallWithUnknownKey_CountsAsAnonymousNotAsTheKeySent()
    {
        var before = Count(await ScrapeAsync(), "partnerexchange_partner_calls_total", "partner=\"anonymous\"", "outcome=\"refused\"");
        var diagnostics = new DiagnosticsService.DiagnosticsServiceClient(Exchange.Channel);
        await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API_KEY_INVALID",
            () => diagnostics.PingAsync(new PingRequest(), RunningExchange.Bearer("pxk_made_up_label")));

        var text = await ScrapeAsync();

        Assert.Equal(before + 1, Count(text, "partnerexchange_partner_calls_total", "partner=\"anonymous\"", "outcome=\"refused\""));
        Assert.DoesNotContain("made_up_label", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterWrites_ReportTheWritersOutcomesGroupsAndQueue()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        var before = Count(await ScrapeAsync(), "partnerexchange_ledger_requests_total", "outcome=\"refused\"");
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS", () => shop.Points.RedeemAsync(
            new RedeemRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 1 }));

        var text = await ScrapeAsync();

        Assert.Equal(before + 1, Count(text, "partnerexchange_ledger_requests_total", "outcome=\"refused\""));
        Assert.True(Count(text, "partnerexchange_ledger_requests_total", "outcome=\"committed\"") >= 1, text);
        Assert.True(Count(text, "partnerexchange_ledger_group_size_count") >= 1, text);
        Assert.True(Count(text, "partnerexchange_ledger_group_duration_seconds_count") >= 1, text);
        Assert.Contains("partnerexchange_ledger_queue_depth", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_AfterWrites_ReportTheLedgerThreadsCpuTime()
    {
        var shop = await Exchange.CreatePartnerAsync();
        await shop.EnrollAsync();

        var lines = (await ScrapeAsync()).Split('\n');

        foreach (var thread in new[] { "writer", "checkpointer" })
        {
            Assert.Contains(lines, line => line.StartsWith("partnerexchange_ledger_thread_cpu_time_seconds_total{", StringComparison.Ordinal)
                && line.Contains($"thread=\"{thread}\"", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Metrics_RuntimeConnectionsAndRedis_AreExported()
    {
        var text = await ScrapeAsync();

        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal);
        Assert.Contains("kestrel_", text, StringComparison.Ordinal);
        // The tests' server uses the assembly's Redis, which answers.
        Assert.Equal(1, Count(text, "partnerexchange_redis_available"));
    }

    [Fact]
    public async Task GrpcPort_MetricsPath_IsNotServed()
    {
        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http.GetAsync(new Uri(Exchange.Address, "/metrics"));

        Assert.False(response.IsSuccessStatusCode);
    }

    [Theory]
    [InlineData("9464")]
    [InlineData("http://localhost:9464")]
    [InlineData("https://127.0.0.1:9464")]
    [InlineData("http://127.0.0.1:9464/metrics")]
    public async Task Start_MetricsListenNotAnHttpIpAndPort_FailsValidation(string listen)
    {
        var folder = Path.Combine(Path.GetTempPath(), "px-tests", Guid.NewGuid().ToString("N"));
        await using var app = ExchangeHost.Build([], new Dictionary<string, string?>
        {
            ["Exchange:Listen"] = "http://127.0.0.1:0",
            ["Exchange:OperatorKey"] = Exchange.OperatorKey,
            ["Ledger:DatabasePath"] = Path.Combine(folder, "exchange.db"),
            ["Metrics:Listen"] = listen,
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(typeof(MetricsOptions), error.OptionsType);
        Assert.Contains("Metrics:Listen", error.Message, StringComparison.Ordinal);
    }

    // A new partner enrols a member and accrues (two OK calls), then redeems more than the member holds (refused).
    private async Task<TestPartner> NewPartnerAccruesThenIsRefusedAsync()
    {
        var shop = await Exchange.CreatePartnerAsync();
        var member = await shop.EnrollAsync();
        await shop.AccrueAsync(member, 100);
        await RpcAssert.FailsAsync(StatusCode.FailedPrecondition, "INSUFFICIENT_POINTS", () => shop.Points.RedeemAsync(
            new RedeemRequest { IdempotencyKey = Guid.NewGuid().ToString("N"), MemberNumber = member, Points = 101 }));
        return shop;
    }

    private Task<string> ScrapeAsync() => Prometheus.ScrapeAsync(fixture.MetricsAddress);

    private static double Count(string text, string metric, params string[] labels) => Prometheus.Sum(text, metric, labels);
}

/// <summary>Reads a Prometheus endpoint over real HTTP.</summary>
internal static class Prometheus
{
    private static readonly HttpClient Http = new();

    public static async Task<string> ScrapeAsync(Uri address)
    {
        using var response = await Http.GetAsync(address);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels contain every one given.</summary>
    public static double Sum(string text, string metric, params string[] labels) =>
        text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
