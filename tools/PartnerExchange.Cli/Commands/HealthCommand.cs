using System.CommandLine;
using Grpc.Health.V1;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace PartnerExchange.Cli.Commands;

/// <summary>
/// <c>pxctl health</c>: whether the exchange serves, whether it runs degraded without Redis, whether the key
/// works, and (for an operator key) which engine the ledger runs on. Exit 0 when all is well, 1 when degraded (Redis not serving), 2 when the exchange is not serving.
/// </summary>
internal static class HealthCommand
{
    /// <summary>The health service name under which the exchange reports Redis.</summary>
    private const string RedisService = "partnerexchange.v1.Redis";

    public static Command Build(CommandRunner runner)
    {
        var command = new Command(
            "health",
            "Shows whether the exchange serves, whether Redis does (without it the exchange runs degraded: rate limits per server, "
            + "duplicates caught by the ledger alone), who the key is, and for an operator key the ledger's engine (SQLite or PostgreSQL). Exit 1 when degraded, 2 when the exchange is not serving.");
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var exchange = context.Exchange;
            var ping = await exchange.Diagnostics.PingAsync(new PingRequest(), exchange.Call(cancellationToken));
            var ledger = (await exchange.Health.CheckAsync(new HealthCheckRequest(), exchange.Call(cancellationToken))).Status;
            var redis = (await exchange.Health.CheckAsync(new HealthCheckRequest { Service = RedisService }, exchange.Call(cancellationToken))).Status;
            var exitCode = ledger != ServingStatus.Serving ? Cli.ExitError : redis != ServingStatus.Serving ? Cli.ExitDifferences : Cli.ExitOk;
            if (context.Output.IsJson)
            {
                context.Output.Line(
                    $"{{\n\"exchange\": \"{Display.UpperSnake(ledger.ToString())}\",\n\"redis\": \"{Display.UpperSnake(redis.ToString())}\",\n"
                    + $"\"ping\": {Terminal.FormatJson(ping)}\n}}");
                return exitCode;
            }
            context.Output.Line(exitCode switch
            {
                Cli.ExitOk => "The exchange is serving, with Redis.",
                Cli.ExitDifferences => "The exchange is serving degraded: Redis is not serving (rate limits per server, duplicates caught by the ledger alone).",
                _ => "The exchange is not serving: its ledger does not answer.",
            });
            context.Output.Write(Terminal.NewDetails(
            [
                ("Exchange", Display.UpperSnake(ledger.ToString())),
                ("Redis", Display.UpperSnake(redis.ToString())),
                ("Key", ping.ProgramCode.Length == 0 ? $"operator ({ping.KeyId})" : $"partner {ping.ProgramCode} ({ping.KeyId})"),
                ("Ledger", LedgerEngineText(ping.LedgerEngine)),
                ("Server time", Display.Time(ping.ServerTime)),
            ]));
            return exitCode;
        });
        return command;
    }

    /// <summary>The ledger's engine as the exchange told it: only operator keys are told, and older servers tell no one.</summary>
    private static string LedgerEngineText(LedgerEngine engine) => engine switch
    {
        LedgerEngine.Sqlite => "SQLite",
        LedgerEngine.Postgres => "PostgreSQL",
        _ => "not told (an operator key is; servers before this release tell no one)",
    };
}
