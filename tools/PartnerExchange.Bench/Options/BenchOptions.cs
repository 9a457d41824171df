namespace PartnerExchange.Bench.Options;

/// <summary>What one benchmark run does. Defaults and meanings are in <see cref="BenchCommand"/>.</summary>
internal sealed record BenchOptions
{
    /// <summary>Scenario names in the order they run; <c>ping</c> first gives the other scenarios their ratio.</summary>
    public required IReadOnlyList<string> Scenarios { get; init; }

    /// <summary>Closed loop: numbers of concurrent callers, each measured in turn. Empty for open loop only.</summary>
    public required IReadOnlyList<int> Concurrency { get; init; }

    /// <summary>Open loop: arrival rates, each measured in turn after the closed-loop points. Empty for none.</summary>
    public required IReadOnlyList<ArrivalRate> Rates { get; init; }

    public required TimeSpan Duration { get; init; }
    public required TimeSpan Warmup { get; init; }

    /// <summary>accrue-during-jobs: the shortest time from the start of one round of long jobs to the next; zero for back to back.</summary>
    public required TimeSpan JobsEvery { get; init; }
    public required TimeSpan CallTimeout { get; init; }

    /// <summary>Open loop: most calls outstanding at once; later arrivals wait, their wait counted as latency.</summary>
    public required int MaxInFlight { get; init; }

    /// <summary>Most calls one measurement sends, warm-up included, so no loop can run away.</summary>
    public required long MaxCallsPerMeasurement { get; init; }

    public required int MembersPerProgram { get; init; }
    public required long StartingBalancePoints { get; init; }
    public required long HotBalancePoints { get; init; }
    public required int SetupParallelism { get; init; }

    /// <summary>Accruals sent before the first measurement, not measured, so the ledger is large when measured. 0 for none.</summary>
    public required long PrefillTransactions { get; init; }

    /// <summary>
    /// With a prefill: measure every scenario on the ledger as set up, before the prefill, as well as after it, so one run
    /// on one server shows what a large ledger costs.
    /// </summary>
    public required bool CompareWithEmptyLedger { get; init; }

    /// <summary>Concurrent callers of the prefill.</summary>
    public required int PrefillConcurrency { get; init; }
    public required int Seed { get; init; }

    /// <summary>A running server to use instead of starting one; loopback only.</summary>
    public Uri? Address { get; init; }
    public string? OperatorKey { get; init; }

    public required string ServerDll { get; init; }
    public required string RedisServer { get; init; }
    public required bool BuildServer { get; init; }
    public required bool KeepData { get; init; }
    public required string OutputDirectory { get; init; }
    public required string ReportName { get; init; }

    /// <summary>The command line as run, with the operator key blanked out, for the report.</summary>
    public required string CommandLine { get; init; }
}
