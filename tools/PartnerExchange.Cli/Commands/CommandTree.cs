using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace PartnerExchange.Cli.Commands;

/// <summary>The whole command line of pxctl, built fresh for each run so runs never share state.</summary>
internal static class CommandTree
{
    public static RootCommand Build(CommandIo io)
    {
        var globals = new GlobalOptions();
        var runner = new CommandRunner(io, globals);
        var root = new RootCommand(
            "pxctl: the PartnerExchange ops tool. Manages partners, rates and keys; shows members and transactions as their partner sees them; adjusts members' balances; closes, exports, "
            + "reconciles and records payments of settlement periods; values liability; verifies the ledger, backs up its SQLite file and copies it into PostgreSQL; runs points expiry; checks the exchange's health. "
            + "Exit codes: 0 ok, 1 differences or findings (reconcile, ledger verify), 2 errors.");
        globals.AddTo(root);
        // The default prints the entry assembly's version, which is the test host's when tests run pxctl in-process.
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion(io);
        root.Subcommands.Add(PartnerCommands.Build(runner));
        root.Subcommands.Add(RateCommands.Build(runner));
        root.Subcommands.Add(KeyCommands.Build(runner));
        root.Subcommands.Add(MemberCommands.Build(runner));
        root.Subcommands.Add(TransactionCommands.Build(runner));
        root.Subcommands.Add(SettlementCommands.Build(runner));
        root.Subcommands.Add(LiabilityCommand.Build(runner));
        root.Subcommands.Add(ReconcileCommand.Build(runner));
        root.Subcommands.Add(LedgerCommands.Build(runner));
        root.Subcommands.Add(EventCommands.Build(runner));
        root.Subcommands.Add(ExpiryCommands.Build(runner));
        root.Subcommands.Add(HealthCommand.Build(runner));
        return root;
    }
}

/// <summary><c>pxctl --version</c>: the release version pxctl was built as, the same as the exchange's and the client's.</summary>
internal sealed class PrintVersion(CommandIo io) : SynchronousCommandLineAction
{
    public static string Current { get; } =
        typeof(PrintVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public override int Invoke(ParseResult parseResult)
    {
        io.Stdout.WriteLine($"pxctl {Current}");
        return Cli.ExitOk;
    }
}
