using System.CommandLine;

namespace PartnerExchange.Bench.Options;

/// <summary>The command line of the benchmark: every option, its default, and how it becomes <see cref="BenchOptions"/>.</summary>
internal static class BenchCommand
{
    // The server's default largest amount of one transaction; a member's starting balance is one accrual.
    private const long MaxHotBalancePoints = 1_000_000_000_000;

    private static readonly Option<IReadOnlyList<string>> Scenarios = ListOption(
        "--scenarios", $"Scenarios to run, comma-separated, in order ({string.Join(",", ScenarioNames.All)}).",
        string.Join(",", ScenarioNames.All), ScenarioNames.Parse);

    private static readonly Option<IReadOnlyList<int>> Concurrency = ListOption(
        "--concurrency", "Closed loop: concurrent callers, comma-separated; 'none' for open loop only.", "1,4,16,64",
        ValueParsers.ParseConcurrency);

    private static readonly Option<IReadOnlyList<ArrivalRate>> Rates = ListOption(
        "--rate", "Open loop: arrival rates in calls/s, or N% of the scenario's best closed-loop calls/s in this run, comma-separated.",
        "none", ArrivalRate.Parse);

    private static readonly Option<TimeSpan> Duration = DurationOption("--duration", "Measured time of each scenario at each load.", "10s");
    private static readonly Option<TimeSpan> Warmup = DurationOption("--warmup", "Unmeasured time before each measurement.", "2s");
    private static readonly Option<TimeSpan> JobsEvery = DurationOption("--jobs-every",
        "accrue-during-jobs: start the long jobs at most once per this time (0s: back to back).", "0s");
    private static readonly Option<TimeSpan> CallTimeout = DurationOption("--call-timeout", "Deadline of each call.", "10s");
    private static readonly Option<int> MaxInFlight = NumberOption("--max-in-flight", "Open loop: most calls outstanding at once.", 1024);
    private static readonly Option<long> MaxCalls = NumberOption("--max-calls", "Most calls in one measurement, warm-up included.", 10_000_000L);
    private static readonly Option<int> Members = NumberOption("--members", "Members enrolled in each of the 4 programs.", 2000);
    private static readonly Option<long> Balance = NumberOption("--balance", "Starting balance of every member, in points.", 1_000_000L);
    private static readonly Option<long?> HotBalance = new("--hot-balance")
    {
        Description = "Starting balance of the 4 convert-hot members (default: 100 × --balance, at most 1,000,000,000,000, " +
            "so they last a whole run); lower it to see refusals.",
    };
    private static readonly Option<int> SetupParallelism = NumberOption("--setup-parallelism", "Concurrent calls while enrolling members.", 16);
    private static readonly Option<long> PrefillCount = NumberOption("--prefill",
        "Accruals sent through the API before the first measurement, not measured (e.g. 1000000 to measure with a large ledger).", 0L);
    private static readonly Option<bool> CompareEmpty = new("--compare-empty")
    {
        Description = "With --prefill: measure every scenario before the prefill too, on the ledger as set up, and report the change.",
    };
    private static readonly Option<int> PrefillConcurrency = NumberOption("--prefill-concurrency", "Concurrent callers of the prefill.", 64);
    private static readonly Option<int> Seed = NumberOption("--seed", "Seed of the callers' random choices.", 1);
    private static readonly Option<Uri?> Address = new("--address")
    {
        Description = "Use this running server (loopback only) instead of starting one; needs --operator-key.",
        CustomParser = result => ValueParsers.ParseWith(result, ValueParsers.ParseLoopbackAddress),
    };
    // No default shown on purpose: the key is a secret and must never reach help text or reports.
    private static readonly Option<string?> OperatorKey = new("--operator-key")
    {
        Description = "Operator key of the server given by --address (env PX_OPERATOR_KEY). Never printed.",
    };
    private static readonly Option<string> ServerDll = TextOption("--server-dll", "The server to start.", RepositoryLayout.ReleaseServerDll);
    private static readonly Option<string> RedisServer = TextOption("--redis-server", "The redis-server executable to start.", "redis-server");
    private static readonly Option<bool> Build = new("--build") { Description = "Build the server in Release first, even when it is built." };
    private static readonly Option<bool> KeepData = new("--keep-data") { Description = "Keep the temporary folder (ledger, logs) of the started processes." };
    private static readonly Option<string> Output = TextOption("--out", "Folder of the report files.", RepositoryLayout.BenchOutput);
    private static readonly Option<string> Name = TextOption("--name", "Base name of the report files (NAME.json, NAME.md, NAME.svg).", "latest");

    /// <summary>Parses <paramref name="args"/> and runs <paramref name="run"/> with the options; returns the exit code.</summary>
    public static Task<int> InvokeAsync(string[] args, Func<BenchOptions, CancellationToken, Task<int>> run)
    {
        var root = new RootCommand("PartnerExchange benchmark: load scenarios against the exchange, then a ledger check and reports.");
        foreach (var option in AllOptions())
        {
            root.Options.Add(option);
        }
        root.SetAction((result, cancellationToken) => Validate(result, args) is { } options
            ? run(options, cancellationToken)
            : Task.FromResult(2));
        // The run cleans up the processes it started when cancelled; give it time before the process is ended.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) };
        return root.Parse(args).InvokeAsync(configuration);
    }

    private static Option[] AllOptions() =>
    [
        Scenarios, Concurrency, Rates, Duration, Warmup, JobsEvery, CallTimeout, MaxInFlight, MaxCalls, Members, Balance, HotBalance,
        SetupParallelism, PrefillCount, CompareEmpty, PrefillConcurrency, Seed, Address, OperatorKey, ServerDll, RedisServer, Build, KeepData, Output, Name,
    ];

    private static BenchOptions? Validate(ParseResult result, string[] args)
    {
        var options = ToOptions(result, args);
        var problem = Problem(options);
        if (problem is null)
        {
            return options;
        }
        Console.Error.WriteLine($"error: {problem}");
        return null;
    }

    private static BenchOptions ToOptions(ParseResult result, string[] args) => new()
    {
        Scenarios = result.GetValue(Scenarios)!,
        Concurrency = result.GetValue(Concurrency)!,
        Rates = result.GetValue(Rates)!,
        Duration = result.GetValue(Duration),
        Warmup = result.GetValue(Warmup),
        JobsEvery = result.GetValue(JobsEvery),
        CallTimeout = result.GetValue(CallTimeout),
        MaxInFlight = result.GetValue(MaxInFlight),
        MaxCallsPerMeasurement = result.GetValue(MaxCalls),
        MembersPerProgram = result.GetValue(Members),
        StartingBalancePoints = result.GetValue(Balance),
        // Every convert-hot call spends from the same 4 members: with --balance alone they ran dry within a full run.
        HotBalancePoints = result.GetValue(HotBalance) ?? Math.Min(result.GetValue(Balance) * 100, MaxHotBalancePoints),
        SetupParallelism = result.GetValue(SetupParallelism),
        PrefillTransactions = result.GetValue(PrefillCount),
        CompareWithEmptyLedger = result.GetValue(CompareEmpty),
        PrefillConcurrency = result.GetValue(PrefillConcurrency),
        Seed = result.GetValue(Seed),
        Address = result.GetValue(Address),
        OperatorKey = result.GetValue(OperatorKey) ?? Environment.GetEnvironmentVariable("PX_OPERATOR_KEY"),
        ServerDll = Path.GetFullPath(result.GetValue(ServerDll)!),
        RedisServer = result.GetValue(RedisServer)!,
        BuildServer = result.GetValue(Build),
        KeepData = result.GetValue(KeepData),
        OutputDirectory = Path.GetFullPath(result.GetValue(Output)!),
        ReportName = result.GetValue(Name)!,
        CommandLine = RedactedCommandLine(args),
    };

    // Limits on everything: a typo must not start an hour-long run or a million members.
    private static string? Problem(BenchOptions options) => options switch
    {
        { Scenarios.Count: 0 } => "--scenarios names no scenario.",
        { Concurrency.Count: 0, Rates.Count: 0 } => "nothing to measure: give --concurrency, --rate or both.",
        { Duration.TotalSeconds: < 0.5 or > 600 } => "--duration must be between 500ms and 10m.",
        { Warmup.TotalSeconds: > 60 } => "--warmup must be at most 1m.",
        { JobsEvery.TotalSeconds: > 600 } => "--jobs-every must be at most 10m.",
        { CallTimeout.TotalMilliseconds: < 100 or > 60_000 } => "--call-timeout must be between 100ms and 1m.",
        { MaxInFlight: < 1 or > 10_000 } => "--max-in-flight must be between 1 and 10,000.",
        { MaxCallsPerMeasurement: < 1 or > 100_000_000 } => "--max-calls must be between 1 and 100,000,000.",
        { MembersPerProgram: < 1 or > 100_000 } => "--members must be between 1 and 100,000.",
        { StartingBalancePoints: < 1_000 or > 1_000_000_000_000 } => "--balance must be between 1,000 and 1,000,000,000,000.",
        { HotBalancePoints: < 0 or > MaxHotBalancePoints } => "--hot-balance must be between 0 and 1,000,000,000,000.",
        { SetupParallelism: < 1 or > 256 } => "--setup-parallelism must be between 1 and 256.",
        { PrefillTransactions: < 0 or > 10_000_000 } => "--prefill must be between 0 and 10,000,000.",
        { PrefillConcurrency: < 1 or > 1024 } => "--prefill-concurrency must be between 1 and 1,024.",
        { CompareWithEmptyLedger: true, PrefillTransactions: 0 } => "--compare-empty needs --prefill: it compares the ledger before and after it.",
        { Address: not null, OperatorKey: null or "" } => "--address needs the server's operator key: --operator-key or PX_OPERATOR_KEY.",
        { ReportName: "" } => "--name must not be empty.",
        _ => null,
    };

    private static string RedactedCommandLine(string[] args)
    {
        var shown = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--operator-key=", StringComparison.Ordinal))
            {
                arg = "--operator-key=***";
            }
            else if (i > 0 && args[i - 1] == "--operator-key")
            {
                arg = "***";
            }
            shown.Add(arg.Contains(' ', StringComparison.Ordinal) ? $"'{arg}'" : arg);
        }
        return "dotnet run -c Release --project tools/PartnerExchange.Bench --" + string.Concat(shown.Select(a => " " + a));
    }

    private static Option<IReadOnlyList<T>> ListOption<T>(string name, string description, string defaultText, Func<string, T> parseItem) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => ValueParsers.ParseList(defaultText, parseItem),
            CustomParser = result => ValueParsers.ParseWith(result, text => ValueParsers.ParseList(text, parseItem)),
        };

    private static Option<TimeSpan> DurationOption(string name, string description, string defaultText) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => ValueParsers.ParseDuration(defaultText, positive: false),
            CustomParser = result => ValueParsers.ParseWith(result, text => ValueParsers.ParseDuration(text, positive: false)),
        };

    private static Option<T> NumberOption<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    private static Option<string> TextOption(string name, string description, string defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
}
