using System.CommandLine;
using PartnerExchange.Cli.Commands;

namespace PartnerExchange.Cli;

/// <summary>
/// The entry point of <c>pxctl</c>, the PartnerExchange ops tool. It is a plain method over writers so that
/// tests run the tool in-process against a real server and read what it printed.
/// </summary>
public static class Cli
{
    /// <summary>Exit code of a command that did what it was asked and found nothing wrong.</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when the command ran but found differences (reconcile) or findings (ledger verify).</summary>
    public const int ExitDifferences = 1;

    /// <summary>Exit code of every error: bad usage, an unreachable server, a refused key or a refused call.</summary>
    public const int ExitError = 2;

    /// <summary>Runs one pxctl command line with the process environment.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="stdout">Where results go: tables, or one JSON document with <c>--output json</c>.</param>
    /// <param name="stderr">Where errors and progress go.</param>
    /// <param name="cancellationToken">Cancels the running command.</param>
    /// <returns>The exit code: <see cref="ExitOk"/>, <see cref="ExitDifferences"/> or <see cref="ExitError"/>.</returns>
    public static Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable, cancellationToken);

    /// <summary>Runs one pxctl command line with the given environment (PX_ADDRESS, PX_OPERATOR_KEY).</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="stdout">Where results go: tables, or one JSON document with <c>--output json</c>.</param>
    /// <param name="stderr">Where errors and progress go.</param>
    /// <param name="environment">Reads an environment variable; returns <see langword="null"/> when it is unset.</param>
    /// <param name="cancellationToken">Cancels the running command.</param>
    /// <returns>The exit code: <see cref="ExitOk"/>, <see cref="ExitDifferences"/> or <see cref="ExitError"/>.</returns>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        Func<string, string?> environment,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(environment);

        var root = CommandTree.Build(new CommandIo(stdout, stderr, environment));
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }
            await stderr.WriteLineAsync("Run 'pxctl --help' (or 'pxctl COMMAND --help') for usage.").ConfigureAwait(false);
            return ExitError;
        }

        // Operating errors are reported by the commands themselves; what reaches here is a bug in pxctl. It still
        // gets one line, not a stack trace, unless PXCTL_DEBUG=1 asks for the trace.
        var debug = environment("PXCTL_DEBUG") == "1";
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = debug };
        try
        {
            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!debug)
        {
            await stderr.WriteLineAsync(
                $"error: pxctl failed unexpectedly ({ex.GetType().Name}: {ex.Message}); set PXCTL_DEBUG=1 for details").ConfigureAwait(false);
            return ExitError;
        }
    }
}
