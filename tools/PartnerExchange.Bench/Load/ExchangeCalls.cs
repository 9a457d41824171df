using Grpc.Core;
using PartnerExchange.Bench.Network;
using PartnerExchange.V1;

namespace PartnerExchange.Bench.Load;

/// <summary>
/// The calls the scenarios are made of, each against a randomly chosen program and member. Every OK write's
/// transaction id is kept for the ledger check, and every balance a write returns must not be negative.
/// </summary>
internal sealed class ExchangeCalls(ExchangeConnection connection, BenchNetwork network)
{
    private const int RepeatPercent = 10;

    // Small amounts: a member's balance lasts through any run, and 10 is the rates' minimum.
    private const int MinPoints = 10;
    private const int MaxPoints = 100;

    public Task<CallOutcome> PingAsync(Caller caller, CancellationToken cancellationToken)
    {
        var program = PickProgram(caller);
        return InvokeAsync(connection.Diagnostics.PingAsync(new PingRequest(), connection.With(program.Credential, cancellationToken)), _ => CallOutcome.Ok);
    }

    public Task<CallOutcome> GetAccountAsync(Caller caller, CancellationToken cancellationToken)
    {
        var program = PickProgram(caller);
        var request = new GetAccountRequest { MemberNumber = PickMember(caller) };
        return InvokeAsync(connection.Points.GetAccountAsync(request, connection.With(program.Credential, cancellationToken)), _ => CallOutcome.Ok);
    }

    public async Task<CallOutcome> AccrueAsync(Caller caller, bool mayRepeat, CancellationToken cancellationToken)
    {
        var program = PickProgram(caller);
        var request = new AccrueRequest
        {
            IdempotencyKey = caller.NextIdempotencyKey(),
            MemberNumber = PickMember(caller),
            Points = caller.Random.Next(MinPoints, MaxPoints + 1),
            Reason = AccrualReason.Promotion,
            Reference = "bench",
        };
        Task<WriteAnswer> Send(CancellationToken token) => SendWriteAsync(
            connection.Points.AccrueAsync(request, connection.With(program.Credential, token)), r => (r.Transaction.TransactionId, r.BalancePoints));
        return await SendAndMaybeRememberAsync(caller, Send, mayRepeat, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A conversion between two different programs; with <paramref name="hot"/>, between two of the four hot members.</summary>
    public async Task<CallOutcome> ConvertAsync(Caller caller, bool hot, bool mayRepeat, CancellationToken cancellationToken)
    {
        var (source, destination) = PickTwoPrograms(caller);
        var request = new ConvertRequest
        {
            IdempotencyKey = caller.NextIdempotencyKey(),
            SourceMemberNumber = hot ? BenchNetwork.HotMemberNumber : PickMember(caller),
            DestinationProgramCode = destination.Code,
            DestinationMemberNumber = hot ? BenchNetwork.HotMemberNumber : PickMember(caller),
            SourcePoints = caller.Random.Next(MinPoints, MaxPoints + 1),
            Reference = "bench",
        };
        Task<WriteAnswer> Send(CancellationToken token) => SendWriteAsync(
            connection.Conversions.ConvertAsync(request, connection.With(source.Credential, token)), r => (r.Transaction.TransactionId, r.BalancePoints));
        return await SendAndMaybeRememberAsync(caller, Send, mayRepeat, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a remembered write again: the exchange must answer exactly as it did the first time.</summary>
    public static async Task<CallOutcome> RepeatAsync(PendingRepeat repeat, CancellationToken cancellationToken)
    {
        var again = await repeat.Send(cancellationToken).ConfigureAwait(false);
        if (again.Outcome.Kind == OutcomeKind.Error)
        {
            return again.Outcome;
        }
        if (again != repeat.Original)
        {
            return CallOutcome.Wrong("REPLAY_DIFFERS");
        }
        return again.Outcome.Kind == OutcomeKind.Ok ? CallOutcome.ReplayMatched : again.Outcome;
    }

    private static async Task<CallOutcome> SendAndMaybeRememberAsync(
        Caller caller, Func<CancellationToken, Task<WriteAnswer>> send, bool mayRepeat, CancellationToken cancellationToken)
    {
        var answer = await send(cancellationToken).ConfigureAwait(false);
        // Only a final answer can be compared with its replay; a timeout or back-pressure has none.
        if (mayRepeat && answer.Outcome.Kind != OutcomeKind.Error && caller.Chance(RepeatPercent))
        {
            caller.Remember(new PendingRepeat(send, answer));
        }
        return answer.Outcome;
    }

    private async Task<WriteAnswer> SendWriteAsync<TResponse>(AsyncUnaryCall<TResponse> call, Func<TResponse, (string TransactionId, long BalancePoints)> read)
    {
        using (call)
        {
            try
            {
                var (transactionId, balancePoints) = read(await call.ResponseAsync.ConfigureAwait(false));
                network.Acknowledged.Add(transactionId);
                var outcome = balancePoints < 0 ? CallOutcome.Wrong("NEGATIVE_BALANCE") : CallOutcome.Ok;
                return new WriteAnswer(outcome, transactionId);
            }
            catch (RpcException ex)
            {
                return new WriteAnswer(CallOutcome.From(ex), null);
            }
        }
    }

    private static async Task<CallOutcome> InvokeAsync<TResponse>(AsyncUnaryCall<TResponse> call, Func<TResponse, CallOutcome> check)
    {
        using (call)
        {
            try
            {
                return check(await call.ResponseAsync.ConfigureAwait(false));
            }
            catch (RpcException ex)
            {
                return CallOutcome.From(ex);
            }
        }
    }

    private BenchProgram PickProgram(Caller caller) => network.Programs[caller.Random.Next(network.Programs.Count)];

    private (BenchProgram Source, BenchProgram Destination) PickTwoPrograms(Caller caller)
    {
        var count = network.Programs.Count;
        var source = caller.Random.Next(count);
        var destination = (source + 1 + caller.Random.Next(count - 1)) % count;
        return (network.Programs[source], network.Programs[destination]);
    }

    private string PickMember(Caller caller) => BenchNetwork.MemberNumber(caller.Random.Next(network.MembersPerProgram));
}
