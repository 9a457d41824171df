using System.Text;
using Google.Rpc;
using Grpc.Core;

namespace PartnerExchange.Bench.Load;

/// <summary>How a call ended, as the report counts it.</summary>
internal enum OutcomeKind
{
    /// <summary>OK.</summary>
    Ok,
    /// <summary>A refusal the scenario may meet in normal business (INSUFFICIENT_POINTS): counted, not an error.</summary>
    Refusal,
    /// <summary>Anything else: a failure of the exchange, a timeout, a wrong replay, an overdrawn balance.</summary>
    Error,
}

/// <summary>The outcome of one call: its kind, canonical gRPC code (UPPER_SNAKE) and the ErrorInfo reason.</summary>
internal readonly record struct CallOutcome(OutcomeKind Kind, string Code, string Reason)
{
    private const string InsufficientPoints = "INSUFFICIENT_POINTS";

    public static CallOutcome Ok { get; } = new(OutcomeKind.Ok, "OK", "");

    /// <summary>A write sent again with its key whose answer matched the first answer: OK, and counted apart.</summary>
    public static CallOutcome ReplayMatched { get; } = new(OutcomeKind.Ok, "OK", "REPLAY_MATCHED");

    /// <summary>A failure the benchmark itself detected in an OK answer (a replay that differs, a negative balance).</summary>
    public static CallOutcome Wrong(string reason) => new(OutcomeKind.Error, "BENCH_CHECK", reason);

    /// <summary>An arrival the open loop could not send before the measurement ended: the load was not sustained.</summary>
    public static CallOutcome NotSent { get; } = new(OutcomeKind.Error, "NOT_SENT", "GENERATOR_BACKLOG");

    public static CallOutcome From(RpcException exception)
    {
        var reason = ReasonOf(exception);
        var kind = reason == InsufficientPoints ? OutcomeKind.Refusal : OutcomeKind.Error;
        return new CallOutcome(kind, CanonicalName(exception.StatusCode), reason);
    }

    private static string ReasonOf(RpcException exception)
    {
        try
        {
            return exception.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? "";
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return "UNREADABLE_STATUS_DETAILS";
        }
    }

    /// <summary>DeadlineExceeded → DEADLINE_EXCEEDED, as gRPC documents its codes.</summary>
    private static string CanonicalName(StatusCode code)
    {
        var name = code.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                text.Append('_');
            }
            text.Append(char.ToUpperInvariant(name[i]));
        }
        return text.ToString();
    }
}
