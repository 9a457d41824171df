using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using PartnerExchange.Cli.Input;
using PartnerExchange.Cli.Output;
using PartnerExchange.V1;

namespace PartnerExchange.Cli.Commands;

/// <summary><c>pxctl events tail --partner CODE [--after N | --from-now] [--limit N]</c>: follows a partner's event stream.</summary>
internal static class EventCommands
{
    // One compact object per line (JSON Lines), every field written, so a script can read events as they come.
    private static readonly JsonFormatter LineFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static Command Build(CommandRunner runner)
    {
        var events = new Command("events", "A partner's event stream: what happens in its program, in ledger order.");
        events.Subcommands.Add(Tail(runner));
        return events;
    }

    private static Command Tail(CommandRunner runner)
    {
        var partner = new Option<string>("--partner") { Description = "The partner whose events to follow.", Required = true };
        var after = OptionFactory.Long("--after", "Start after this cursor; 0 (the default) starts from the partner's first event.");
        var fromNow = new Option<bool>("--from-now") { Description = "Only events committed from now on (--after is ignored)." };
        var limit = new Option<int?>("--limit") { Description = "Stop after this many events (default: follow until Ctrl-C)." };
        var command = new Command(
            "tail", "Prints a partner's events as they are committed, one line each (JSON Lines with -o json), until "
            + "--limit events or Ctrl-C. The stream has no deadline: --timeout does not apply. Resume with --after CURSOR "
            + "of the last event printed.")
        {
            partner, after, fromNow, limit,
        };
        runner.Reads(command, async (context, cancellationToken) =>
        {
            var request = new StreamEventsRequest
            {
                ProgramCode = context.Required(partner),
                AfterCursor = context.Value(after),
                FromNow = context.Value(fromNow),
            };
            var most = context.Value(limit) ?? int.MaxValue;
            if (request.AfterCursor < 0 || most < 1)
            {
                throw new UsageException("--after must be 0 or more and --limit 1 or more.");
            }
            await FollowAsync(context, request, most, cancellationToken).ConfigureAwait(false);
            return Cli.ExitOk;
        });
        return command;
    }

    /// <summary>Prints events until <paramref name="most"/> were printed or the user cancels; heartbeats are not printed.</summary>
    private static async Task FollowAsync(CommandContext context, StreamEventsRequest request, int most, CancellationToken cancellationToken)
    {
        // Without the per-call deadline the other commands' calls carry: a tail runs until it is stopped.
        using var call = context.Exchange.Events.StreamEvents(request, new CallOptions(cancellationToken: cancellationToken));
        var printed = 0;
        try
        {
            while (printed < most && await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (call.ResponseStream.Current.ItemCase != StreamEventsResponse.ItemOneofCase.Event)
                {
                    continue;
                }
                Print(context.Output, call.ResponseStream.Current.Event, printed == 0);
                printed++;
            }
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException)
        {
            // Ctrl-C is how a tail normally ends.
        }
        await context.Output.Stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static void Print(Terminal output, Event e, bool first)
    {
        if (output.IsJson)
        {
            output.Line(LineFormatter.Format(e));
            return;
        }
        if (first)
        {
            output.Line(Row("CURSOR", "TIME", "KIND", "MEMBER", "POINTS", "BALANCE", "DETAIL"));
        }
        output.Line(Row(e.Cursor.ToString(CultureInfo.InvariantCulture), Display.Time(e.OccurTime), Display.Name(e.Kind),
            e.MemberNumber.Length == 0 ? "-" : e.MemberNumber, Display.Count(e.Points), Display.Count(e.BalancePoints), Detail(e)));
    }

    // Fixed columns instead of a table: a table is drawn once complete, and a tail is never complete.
    private static string Row(string cursor, string time, string kind, string member, string points, string balance, string detail) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{cursor,10}  {time,-28}  {kind,-24}  {member,-20}  {points,14}  {balance,14}  {detail}").TrimEnd();

    /// <summary>What else the event says, by kind: the transaction, the other program, the rate or the expiry.</summary>
    private static string Detail(Event e)
    {
        var parts = new List<string>();
        if (e.TransactionId.Length > 0)
        {
            parts.Add(e.TransactionId);
        }
        switch (e.Kind)
        {
            case EventKind.PointsConvertedOut:
                parts.Add($"to {e.CounterpartyProgramCode} at rate v{e.RateVersion.ToString(CultureInfo.InvariantCulture)}");
                break;
            case EventKind.PointsConvertedIn:
                parts.Add($"from {e.CounterpartyProgramCode} at rate v{e.RateVersion.ToString(CultureInfo.InvariantCulture)}");
                break;
            case EventKind.PointsReversed:
                parts.Add($"reverses {e.ReversesTransactionId}");
                break;
            case EventKind.ExpiryWarning:
                parts.Add($"expire {Display.Time(e.ExpireTime)} ({e.WarningDays.ToString(CultureInfo.InvariantCulture)}-day warning)");
                break;
            case EventKind.ExchangeRateChanged:
                parts.Add($"rate {e.FromProgramCode} -> {e.ToProgramCode} v{e.RateVersion.ToString(CultureInfo.InvariantCulture)}");
                break;
            default:
                break;
        }
        return string.Join("  ", parts);
    }
}
