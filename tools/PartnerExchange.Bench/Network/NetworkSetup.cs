using System.Diagnostics;
using Grpc.Core;
using PartnerExchange.Bench.Options;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Network;

/// <summary>
/// Builds the benchmark network through the admin and points APIs, as an operator and the partners would:
/// partners with limits high enough never to reject, rates, keys, members and their starting balances.
/// </summary>
internal static class NetworkSetup
{
    private const int ProgramCount = 4;

    // Far above anything this machine can send, so rate limiting runs on every call but never rejects one.
    private static readonly RateLimit Unlimited = new() { RequestsPerSecond = 1_000_000, Burst = 10_000_000 };

    private static readonly PartnerKind[] Kinds = [PartnerKind.Airline, PartnerKind.Hotel, PartnerKind.Retailer, PartnerKind.CardIssuer];

    public static async Task<BenchNetwork> SetUpAsync(
        ExchangeConnection connection, string operatorKey, BenchOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var runId = NewRunId();
        var operatorCredential = new Credential(operatorKey);
        var codes = Enumerable.Range(0, ProgramCount).Select(i => $"B{(char)('A' + i)}{runId}").ToArray();
        Console.WriteLine($"Setting up programs {string.Join(", ", codes)} with {options.MembersPerProgram:N0} members each...");
        var programs = new List<BenchProgram>();
        for (var i = 0; i < codes.Length; i++)
        {
            await CreatePartnerAsync(connection, operatorCredential, runId, codes[i], Kinds[i], cancellationToken).ConfigureAwait(false);
            var key = await CreateKeyAsync(connection, operatorCredential, runId, codes[i], cancellationToken).ConfigureAwait(false);
            programs.Add(new BenchProgram(codes[i], key));
        }
        await SetRatesAsync(connection, operatorCredential, runId, codes, cancellationToken).ConfigureAwait(false);
        var network = new BenchNetwork(runId, programs, options.MembersPerProgram, operatorCredential);
        await EnrollMembersAsync(connection, network, options, cancellationToken).ConfigureAwait(false);
        Console.WriteLine($"Set up in {clock.Elapsed.TotalSeconds:F1} s.");
        return network;
    }

    private static string NewRunId()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(6, alphabet, (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[System.Security.Cryptography.RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
    }

    private static Task<CreatePartnerResponse> CreatePartnerAsync(
        ExchangeConnection connection, Credential credential, string runId, string code, PartnerKind kind, CancellationToken cancellationToken)
    {
        var request = new CreatePartnerRequest
        {
            IdempotencyKey = $"{runId}-partner-{code}",
            ProgramCode = code,
            DisplayName = $"Bench partner {code}",
            ProgramName = $"Bench points {code}",
            Kind = kind,
            SettlementCurrencyCode = "USD",
            PointPriceMicros = 10_000,
            RateLimits = new PartnerRateLimits { Writes = Unlimited, Reads = Unlimited, Quotes = Unlimited },
        };
        return RetryTransientAsync(
            () => connection.Admin.CreatePartnerAsync(request, connection.With(credential, cancellationToken)).ResponseAsync, cancellationToken);
    }

    private static async Task<Credential> CreateKeyAsync(
        ExchangeConnection connection, Credential credential, string runId, string code, CancellationToken cancellationToken)
    {
        var request = new CreateApiKeyRequest
        {
            IdempotencyKey = $"{runId}-key-{code}",
            Role = ApiKeyRole.Partner,
            ProgramCode = code,
            Label = "benchmark",
        };
        var response = await RetryTransientAsync(
            () => connection.Admin.CreateApiKeyAsync(request, connection.With(credential, cancellationToken)).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return new Credential(response.Secret);
    }

    // Every pair both ways: 1:1 from the earlier program to the later, 2:1 back, so no round trip gains
    // (the exchange refuses rates that would) and the later-to-earlier direction must round down.
    private static async Task SetRatesAsync(
        ExchangeConnection connection, Credential credential, string runId, string[] codes, CancellationToken cancellationToken)
    {
        for (var from = 0; from < codes.Length; from++)
        {
            for (var to = 0; to < codes.Length; to++)
            {
                if (from == to)
                {
                    continue;
                }
                var request = new SetExchangeRateRequest
                {
                    IdempotencyKey = $"{runId}-rate-{codes[from]}-{codes[to]}",
                    FromProgramCode = codes[from],
                    ToProgramCode = codes[to],
                    FromPoints = from < to ? 1 : 2,
                    ToPoints = 1,
                    MinSourcePoints = 10,
                    MaxSourcePoints = 1_000_000,
                    IncrementPoints = 1,
                    Enabled = true,
                };
                await RetryTransientAsync(
                    () => connection.Admin.SetExchangeRateAsync(request, connection.With(credential, cancellationToken)).ResponseAsync,
                    cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task EnrollMembersAsync(
        ExchangeConnection connection, BenchNetwork network, BenchOptions options, CancellationToken cancellationToken)
    {
        var members = network.Programs
            .SelectMany(program => Enumerable.Range(0, network.MembersPerProgram)
                .Select(i => (program, Number: BenchNetwork.MemberNumber(i), Balance: options.StartingBalancePoints))
                .Append((program, Number: BenchNetwork.HotMemberNumber, Balance: options.HotBalancePoints)))
            .ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.SetupParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(members, parallel, async (member, token) =>
            await EnrollAsync(connection, network, member.program, member.Number, member.Balance, token).ConfigureAwait(false))
            .ConfigureAwait(false);
    }

    private static async Task EnrollAsync(
        ExchangeConnection connection, BenchNetwork network, BenchProgram program, string memberNumber, long balancePoints, CancellationToken cancellationToken)
    {
        var enroll = new EnrollMemberRequest { IdempotencyKey = $"{network.RunId}-enroll-{program.Code}-{memberNumber}", MemberNumber = memberNumber };
        await RetryTransientAsync(
            () => connection.Points.EnrollMemberAsync(enroll, connection.With(program.Credential, cancellationToken)).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        if (balancePoints == 0)
        {
            return;
        }
        var accrue = new AccrueRequest
        {
            IdempotencyKey = $"{network.RunId}-welcome-{program.Code}-{memberNumber}",
            MemberNumber = memberNumber,
            Points = balancePoints,
            Reason = AccrualReason.Promotion,
            Reference = "bench-welcome",
        };
        var response = await RetryTransientAsync(
            () => connection.Points.AccrueAsync(accrue, connection.With(program.Credential, cancellationToken)).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        network.Acknowledged.Add(response.Transaction.TransactionId);
    }

    // Setup must not fail on a moment of back-pressure; the request, and so its idempotency key, stays the same.
    private static async Task<T> RetryTransientAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (RpcException ex) when (attempt < attempts
                && ex.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.DeadlineExceeded)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
