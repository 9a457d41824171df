namespace PartnerExchange.Bench.Load;

/// <summary>
/// One simulated partner client: its own random choices, its own idempotency keys, and the writes it will
/// send again (retry scenario). A caller is used by one call at a time.
/// </summary>
internal sealed class Caller(string runId, int index, int seed)
{
    private readonly Queue<PendingRepeat> _repeats = new();
    private long _sequence;

    // Seeded, so two runs with the same --seed make the same choices in each caller.
    public Random Random { get; } = new(unchecked((seed * 1_000_003) + index));

    public string NextIdempotencyKey() => $"{runId}-c{index}-{++_sequence}";

    public void Remember(PendingRepeat repeat) => _repeats.Enqueue(repeat);

    public bool TryTakeRepeat(out PendingRepeat repeat) => _repeats.TryDequeue(out repeat!);

    /// <summary>True with probability <paramref name="percent"/> in 100.</summary>
    public bool Chance(int percent) => Random.Next(100) < percent;
}

/// <summary>The answer a write got, to compare with the answer to the same request sent again.</summary>
internal sealed record WriteAnswer(CallOutcome Outcome, string? TransactionId);

/// <summary>A write already answered, to send again with the same idempotency key and request.</summary>
internal sealed record PendingRepeat(Func<CancellationToken, Task<WriteAnswer>> Send, WriteAnswer Original);
