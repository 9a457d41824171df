using Microsoft.Extensions.Options;
using PartnerExchange.Domain;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Writing;
using PartnerExchange.Server.Errors;
using PartnerExchange.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace PartnerExchange.Server.Expiry;

/// <summary>One expiry run: who asked under which key, as of when, for which program, for real or not.</summary>
internal sealed record ExpiryRun(IdempotencyScope Request, DateTimeOffset AsOf, string? ProgramCode, bool DryRun);

/// <summary>
/// Runs expiry as a series of ledger batches until nothing more is due. Batch n is written under the key
/// "&lt;key&gt;#n", so a retry of an interrupted run replays the batches already committed (their stored
/// answers) and carries on with the rest: the totals it reports are those of the whole run, and no point
/// expires twice. A dry run is an <see cref="ExpiryForecast"/>: read, never written, so it never takes the writer.
/// </summary>
internal sealed class ExpiryRunner(ILedgerWriter writer, ExpiryForecast forecasts, TimeProvider clock, IOptions<ExpiryOptions> options)
{
    public async Task<RunExpiryResponse> RunAsync(ExpiryRun run, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var total = new RunExpiryResponse { AsOfTime = Timestamp.FromDateTimeOffset(run.AsOf), DryRun = run.DryRun };
        if (run.DryRun)
        {
            var forecast = await forecasts.ForecastAsync(run.AsOf, run.ProgramCode, settings.WarningDays, clock.GetUtcNow(), cancellationToken)
                .ConfigureAwait(false);
            if (!forecast.IsSuccess)
            {
                throw RpcErrors.ToException(forecast.Refusal);
            }
            total.ExpiredPoints = forecast.Value.ExpiredPoints;
            total.ExpiredAccounts = forecast.Value.ExpiredAccounts;
            total.Warnings = forecast.Value.Warnings;
            return total;
        }
        for (var batch = 0; batch < settings.MaxBatchesPerRun; batch++)
        {
            var scope = run.Request with { IdempotencyKey = $"{run.Request.IdempotencyKey}#{batch}" };
            var command = new ExpireBatch(run.AsOf, run.ProgramCode, settings.WarningDays, settings.BatchSize, DryRun: false);
            var done = await BatchAsync(scope, command, cancellationToken).ConfigureAwait(false);
            Add(total, done);
            // A batch that did not use its whole budget found nothing more due (as a replay, it found so then).
            if (done.ExpiredAccounts + done.Warnings < settings.BatchSize)
            {
                break;
            }
        }
        return total;
    }

    private async Task<RunExpiryResponse> BatchAsync(IdempotencyScope scope, ExpireBatch command, CancellationToken cancellationToken)
    {
        var outcome = await writer.WriteAsync(scope, command, Encode, cancellationToken).ConfigureAwait(false);
        if (!outcome.IsSuccess)
        {
            throw RpcErrors.ToException(outcome.Refusal);
        }
        if (outcome.Value.Response.IsRefusal)
        {
            throw RpcErrors.FromStored(outcome.Value.Response.Payload);
        }
        return RunExpiryResponse.Parser.ParseFrom(outcome.Value.Response.Payload);
    }

    private static void Add(RunExpiryResponse total, RunExpiryResponse done)
    {
        total.ExpiredPoints += done.ExpiredPoints;
        total.ExpiredAccounts += done.ExpiredAccounts;
        total.Warnings += done.Warnings;
    }

    private static StoredResponse Encode(Outcome<ExpiryBatchResult> outcome) =>
        outcome.IsSuccess
            ? new StoredResponse(false, new RunExpiryResponse
            {
                ExpiredPoints = outcome.Value.ExpiredPoints,
                ExpiredAccounts = outcome.Value.ExpiredAccounts,
                Warnings = outcome.Value.Warnings,
            }.ToByteArray())
            : new StoredResponse(true, RpcErrors.Store(outcome.Refusal));
}
