using PartnerExchange.Server.Demo;
using PartnerExchange.Server.Hosting;

// The exchange: `PartnerExchange.Server [--demo]`. Configuration: appsettings.json, PX_* environment
// variables (see README), command-line overrides such as --Ledger:MaxGroupSize=128.
var demo = args.Contains("--demo");
var app = ExchangeHost.Build(args.Where(a => a != "--demo").ToArray());
await ExchangeHost.StartAsync(app, CancellationToken.None);
if (demo)
{
    await DemoNetwork.SeedAndPrintAsync(app, CancellationToken.None);
}
await app.WaitForShutdownAsync();
