using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Tests.Infrastructure;

/// <summary>
/// The real exchange (the shared <see cref="RunningExchange"/> fixture: loopback port, temp SQLite file, real Redis),
/// plus a way to run pxctl against it in-process. One per test class; tests create their own partners.
/// </summary>
public sealed class CliExchange : IAsyncLifetime
{
    /// <summary>The real exchange the tool talks to (the same fixture the server's own tests use).</summary>
    public RunningExchange Server { get; } = new();

    public string OperatorKey => Server.OperatorKey;

    public string Address => Server.Address.GetLeftPart(UriPartial.Authority);

    /// <summary>A folder of this fixture's own, for files the tool reads and writes.</summary>
    public string Folder => Path.GetDirectoryName(Server.DatabasePath)!;

    public Task InitializeAsync() => Server.InitializeAsync();

    public Task DisposeAsync() => Server.DisposeAsync();

    public Task<CliRun> PxctlAsync(params string[] args) => PxctlWithEnvironmentAsync(
        new Dictionary<string, string> { ["PX_ADDRESS"] = Address, ["PX_OPERATOR_KEY"] = OperatorKey }, args);

    public static async Task<CliRun> PxctlWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Cli.RunAsync(args, stdout, stderr, name => environment.GetValueOrDefault(name));
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    public string NewProgramCode(string prefix = "P") => Server.NewProgramCode(prefix);

    public AdminService.AdminServiceClient Admin() => Server.Admin();

    public PointsService.PointsServiceClient Points(string key) => Server.Points(key);

    public ConversionService.ConversionServiceClient Conversions(string key) => Server.Conversions(key);

    public async Task<(string Code, string Key)> CreatePartnerAsync(long pointPriceMicros = 10_000, string currency = "USD")
    {
        var partner = await Server.CreatePartnerAsync(pointPriceMicros: pointPriceMicros, currency: currency);
        return (partner.ProgramCode, partner.Key);
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
