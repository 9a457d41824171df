using System.CommandLine;
using Grpc.Core;
using PartnerExchange.Cli.Connection;
using PartnerExchange.Cli.Input;
using PartnerExchange.Cli.Output;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Storage.Copy;

namespace PartnerExchange.Cli.Commands;

/// <summary>
/// Runs a command's body with a connection to the exchange and turns every operating error into a clear message
/// on stderr and exit code 2: bad input, a missing or refused key, an unreachable server, a refused call.
/// </summary>
internal sealed class CommandRunner(CommandIo io, GlobalOptions options)
{
    /// <summary>
    /// The idempotency key option of mutating commands; one instance shared by all of them so the runner can find
    /// it on whichever command was parsed.
    /// </summary>
    public Option<string?> IdempotencyKeyOption { get; } = new("--idempotency-key")
    {
        Description = "Idempotency key of this mutation (default: a new one per invocation). Reuse it to retry safely.",
    };

    /// <summary>Gives <paramref name="command"/> its body.</summary>
    public void Reads(Command command, Func<CommandContext, CancellationToken, Task<int>> body) =>
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult, body, cancellationToken));

    /// <summary>Gives a mutating <paramref name="command"/> its body and the --idempotency-key option.</summary>
    public void Mutates(Command command, Func<CommandContext, CancellationToken, Task<int>> body)
    {
        command.Options.Add(IdempotencyKeyOption);
        Reads(command, body);
    }

    /// <summary>
    /// Gives <paramref name="command"/> a body that works on ledger files and databases on this machine, with no
    /// exchange to connect to. Its operating errors (a refusal, a missing file, a database that does not answer or
    /// refuses the login) become one line on stderr and exit code 2; the messages name databases without passwords.
    /// </summary>
    public void Locally(Command command, Func<ParseResult, Terminal, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = new Terminal(io.Stdout, io.Stderr, parseResult.GetValue(options.Output) == "json");
            try
            {
                return await body(parseResult, output, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is UsageException or LedgerCopyException or LedgerSchemaException or System.Data.Common.DbException
                or IOException or UnauthorizedAccessException)
            {
                await io.Stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await io.Stderr.WriteLineAsync("error: cancelled").ConfigureAwait(false);
            }
            return Cli.ExitError;
        });

    /// <summary>An environment variable, as this run sees the environment.</summary>
    public string? Environment(string name) => io.Environment(name);

    private async Task<int> RunAsync(
        ParseResult parseResult, Func<CommandContext, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var output = new Terminal(io.Stdout, io.Stderr, parseResult.GetValue(options.Output) == "json");
        var idempotencyKey = parseResult.CommandResult.Command.Options.Contains(IdempotencyKeyOption)
            ? parseResult.GetValue(IdempotencyKeyOption) ?? $"pxctl-{Guid.NewGuid():N}"
            : null;
        ExchangeConnection exchange;
        try
        {
            exchange = OpenExchange(parseResult);
        }
        catch (UsageException ex)
        {
            await io.Stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return Cli.ExitError;
        }

        using (exchange)
        {
            var context = new CommandContext(parseResult, output, exchange, idempotencyKey);
            try
            {
                return await body(context, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                ErrorReport.Write(io.Stderr, ex, exchange, idempotencyKey, context.CurrencyCode);
            }
            catch (Exception ex) when (ex is UsageException or IOException or UnauthorizedAccessException)
            {
                await io.Stderr.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await io.Stderr.WriteLineAsync("error: cancelled").ConfigureAwait(false);
            }
            return Cli.ExitError;
        }
    }

    /// <summary>The connection the global options describe, each option falling back to its environment variable.</summary>
    private ExchangeConnection OpenExchange(ParseResult parseResult)
    {
        string? OptionOrEnvironment(Option<string?> option, string variable) => parseResult.GetValue(option) ?? io.Environment(variable);

        return ExchangeConnection.Open(
            OptionOrEnvironment(options.Address, "PX_ADDRESS") ?? GlobalOptions.DefaultAddress,
            OptionOrEnvironment(options.Key, "PX_OPERATOR_KEY"),
            parseResult.GetValue(options.Timeout),
            new TlsFiles(
                OptionOrEnvironment(options.CaCertificate, "PX_CA_CERT"),
                OptionOrEnvironment(options.ClientCertificate, "PX_CLIENT_CERT"),
                OptionOrEnvironment(options.ClientKey, "PX_CLIENT_KEY")));
    }
}
