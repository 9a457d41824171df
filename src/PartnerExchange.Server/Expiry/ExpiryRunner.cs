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
/// expires twice. A dry run is one batch over everything, rolled back by the writer.
/// </summary>
internal sealed class ExpiryRunner(ILedgerWriter writer, IOptions<ExpiryOptions> options)
{
    public async Task<RunExpiryResponse> RunAsync(ExpiryRun run, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var budget = run.DryRun ? int.MaxValue : settings.BatchSize;
        var total = new RunExpiryResponse { AsOfTime = Timestamp.FromDateTimeOffset(run.AsOf), DryRun = run.DryRun };
        for (var batch = 0; batch < settings.MaxBatchesPerRun; batch++)
        {
            var scope = run.Request with { IdempotencyKey = $"{run.Request.IdempotencyKey}#{batch}" };
            var command = new ExpireBatch(run.AsOf, run.ProgramCode, settings.WarningDays, budget, run.DryRun);
            var outcome = await writer.WriteAsync(scope, command, Encode, cancellationToken).ConfigureAwait(false);
            if (!outcome.IsSuccess)
            {
                throw RpcErrors.ToException(outcome.Refusal);
            }
            if (outcome.Value.Response.IsRefusal)
            {
                throw RpcErrors.FromStored(outcome.Value.Response.Payload);
            }
            var done = RunExpiryResponse.Parser.ParseFrom(outcome.Value.Response.Payload);
            total.ExpiredPoints += done.ExpiredPoints;
            total.ExpiredAccounts += done.ExpiredAccounts;
            total.Warnings += done.Warnings;
            // A batch that did not use its whole budget found nothing more due (as a replay, it found so then).
            if (run.DryRun || done.ExpiredAccounts + done.Warnings < budget)
            {
                break;
            }
        }
        return total;
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
