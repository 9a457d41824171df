namespace PartnerExchange.Cli.Commands;

/// <summary>What one run of pxctl talks to: its output streams and its environment.</summary>
/// <param name="Stdout">Results: tables, CSV, or one JSON document.</param>
/// <param name="Stderr">Errors and progress.</param>
/// <param name="Environment">Reads an environment variable; <see langword="null"/> when unset.</param>
internal sealed record CommandIo(TextWriter Stdout, TextWriter Stderr, Func<string, string?> Environment);
