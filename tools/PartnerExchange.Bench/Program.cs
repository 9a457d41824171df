using PartnerExchange.Bench;
using PartnerExchange.Bench.Options;

// The PartnerExchange benchmark. `--help` lists the options; see Benchmark for what a run does, in order.
return await BenchCommand.InvokeAsync(args, Benchmark.RunAsync).ConfigureAwait(false);
