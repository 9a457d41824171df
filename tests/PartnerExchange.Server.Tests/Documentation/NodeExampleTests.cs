using System.Text.RegularExpressions;
using Google.Protobuf;
using PartnerExchange.Testing;
using PartnerExchange.V1;

namespace PartnerExchange.Server.Tests.Documentation;

/// <summary>
/// The other-language example of docs/integrating.md, end to end: docs/examples/node/first-call.js (grpc-js, the
/// protos loaded at run time) builds a network through the Admin API and makes README's first call against a real
/// exchange. Its packages are installed by <c>npm ci</c> from the committed lock file into a copy of the example,
/// so a clean clone passes and the repository stays free of node_modules.
/// </summary>
public sealed partial class NodeExampleTests(RunningExchange exchange) : IClassFixture<RunningExchange>, IDisposable
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(5);

    private static readonly string ExampleFolder = Path.Combine(Repository.Root, "docs", "examples", "node");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "px-tests", "node-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task FirstCallExample_AgainstARunningExchange_ConvertsAndAccruesAsReadmeSays()
    {
        Directory.CreateDirectory(_folder);
        foreach (var file in new[] { "package.json", "package-lock.json", "first-call.js" })
        {
            File.Copy(Path.Combine(ExampleFolder, file), Path.Combine(_folder, file));
        }
        await RunAsync("npm", new Dictionary<string, string>(), "ci", "--no-audit", "--no-fund", "--loglevel=error");

        var output = await RunAsync("node", new Dictionary<string, string>
        {
            ["PX_ADDRESS"] = exchange.Address.ToString(),
            ["PX_OPERATOR_KEY"] = exchange.OperatorKey,
            ["PX_PROTOS"] = Path.Combine(Repository.Root, "protos"),
        }, "first-call.js");

        Assert.Contains("convert: source_points=5000 fee_points=10 destination_points=4000 settlement_amount_micros=48000000", output, StringComparison.Ordinal);
        Assert.Contains("convert again: same transaction=true", output, StringComparison.Ordinal);
        Assert.Contains("accrue: points=259 balance_points=45249", output, StringComparison.Ordinal);
        // The ledger agrees, read through the .NET side: 50,000 welcome − 5,010 + 259 and 4,000 SkyMiles.
        var points = new PointsService.PointsServiceClient(exchange.Channel);
        var headers = RunningExchange.Bearer(exchange.OperatorKey);
        var source = await points.GetAccountAsync(new GetAccountRequest { ProgramCode = "SHOPMART", MemberNumber = "S300" }, headers);
        var destination = await points.GetAccountAsync(new GetAccountRequest { ProgramCode = "SKYAIR", MemberNumber = "A100" }, headers);
        Assert.Equal(45_249, source.BalancePoints);
        Assert.Equal(4_000, destination.BalancePoints);
    }

    /// <summary>
    /// README's first call is printed as buf curl commands; the example sends the same JSON bodies, and each is valid
    /// proto JSON for the RPC its command names (buf curl sends exactly that).
    /// </summary>
    [Fact]
    public void ReadmeFirstCall_IsWhatTheExampleSends()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var section = Regex.Match(readme, "^## A first call\n(.*?)^## ", RegexOptions.Singleline | RegexOptions.Multiline).Groups[1].Value;
        var calls = BufCurlCall().Matches(section).Select(m => (Body: m.Groups["body"].Value, Method: m.Groups["method"].Value)).ToList();
        var example = File.ReadAllText(Path.Combine(ExampleFolder, "first-call.js"));
        var sent = ExampleBody().Matches(example).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["body"].Value);

        Assert.Equal(
            [(sent["FIRST_CONVERT"], "partnerexchange.v1.ConversionService/Convert"), (sent["FIRST_ACCRUE"], "partnerexchange.v1.PointsService/Accrue")],
            calls);
        var parser = new JsonParser(JsonParser.Settings.Default);
        Assert.Equal(5000, parser.Parse<ConvertRequest>(calls[0].Body).SourcePoints);
        Assert.Equal(12999, parser.Parse<AccrueRequest>(calls[1].Body).Purchase.AmountMinor);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private Task<string> RunAsync(string program, Dictionary<string, string> environment, params string[] arguments) =>
        // CI has node and npm (.ci/run installs buf with npm): Node.js 18 or later (Debian: apt-get install nodejs npm).
        ToolRun.RunAsync(program, _folder, ToolTimeout, environment, arguments);

    [GeneratedRegex(@"-d '(?<body>\{.*?\})' \\\n\s*http://127\.0\.0\.1:5080/(?<method>[\w./]+)")]
    private static partial Regex BufCurlCall();

    [GeneratedRegex(@"const (?<name>FIRST_\w+) =\s*'(?<body>\{.*?\})';")]
    private static partial Regex ExampleBody();
}
