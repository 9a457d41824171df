using System.CommandLine;
using PartnerExchange.Cli.Connection;
using PartnerExchange.Cli.Output;

namespace PartnerExchange.Cli.Commands;

/// <summary>What a running command works with: its parsed line, its output, the exchange, its idempotency key.</summary>
internal sealed class CommandContext(ParseResult parseResult, Terminal output, ExchangeConnection exchange, string? idempotencyKey)
{
    public ParseResult ParseResult { get; } = parseResult;

    public Terminal Output { get; } = output;

    public ExchangeConnection Exchange { get; } = exchange;

    /// <summary>
    /// The mutation's idempotency key: --idempotency-key, or one generated for this invocation. Every call of one
    /// invocation that mutates uses it, so repeating the invocation with the same key never applies anything twice.
    /// </summary>
    public string IdempotencyKey =>
        idempotencyKey ?? throw new InvalidOperationException("This command was not declared as a mutation.");

    /// <summary>
    /// The currency of the money the command deals in, once known (a payment's, say): an error's amounts in minor
    /// units are then shown as amounts in it.
    /// </summary>
    public string? CurrencyCode { get; set; }

    public T? Value<T>(Option<T> option) => ParseResult.GetValue(option);

    public T? Value<T>(Argument<T> argument) => ParseResult.GetValue(argument);

    public T Required<T>(Argument<T> argument) => ParseResult.GetRequiredValue(argument);

    public T Required<T>(Option<T> option) => ParseResult.GetRequiredValue(option);
}
