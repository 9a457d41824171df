using System.Data.Common;
using System.Globalization;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Expiry;
using PartnerExchange.Ledger.Reading;
using PartnerExchange.Ledger.Tests.Infrastructure;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Tests.Expiry;

/// <summary>One lot of a member account, as stored.</summary>
internal sealed record LotRow(long Id, long Sequence, DateTimeOffset? ExpiresAt, long OriginalPoints, long RemainingPoints);

/// <summary>One posting, as stored.</summary>
internal sealed record PostingRow(AccountKind Kind, string ProgramCode, string MemberNumber, long AmountPoints);

/// <summary>
/// Short ways for the expiry tests to drive the real ledger (policies, movements, expiry runs) and to read
/// what it stored (lots, lot movements, postings, events) straight from the database.
/// </summary>
internal static class ExpiryLedger
{
    /// <summary>The warning horizons the tests run with, given longest first on purpose (the run sorts them).</summary>
    public static readonly IReadOnlyList<int> Horizons = [30, 7];

    /// <summary>A budget no test reaches, for runs that are meant to finish in one batch.</summary>
    public const int LargeBudget = 1_000;

    public static readonly ExpiryPolicy TwelveMonthLots = new(ExpiryPolicyKind.LotLifetime, 12);

    public static readonly ExpiryPolicy SixMonthsInactive = new(ExpiryPolicyKind.Inactivity, 6);

    public static DateTimeOffset Now(this LedgerHarness ledger) => ledger.Clock.GetUtcNow();

    /// <summary>Moves the fake clock forward to <paramref name="moment"/>.</summary>
    public static void SetNow(this LedgerHarness ledger, DateTimeOffset moment) => ledger.Clock.SetUtcNow(moment);

    public static Task<StoredResponse> CreatePartnerWithPolicyAsync(this LedgerHarness ledger, string program, ExpiryPolicy policy) =>
        ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal,
            new CreatePartner(program, program + " Inc.", program + " Rewards", PartnerKind.Other, "USD", 12_500, null, ExpiryPolicy: policy));

    public static Task<StoredResponse> SetPolicyAsync(this LedgerHarness ledger, string program, ExpiryPolicy policy) =>
        ledger.AcceptedAsync(IdempotencyScope.OperatorPrincipal, new UpdatePartner(program, null, null, null, null, null, ExpiryPolicy: policy));

    public static Task<StoredResponse> RedeemAsync(this LedgerHarness ledger, string program, string member, long points) =>
        ledger.AcceptedAsync(program, new Redeem(program, member, points, "redeem"));

    public static Task<StoredResponse> ConvertAsync(
        this LedgerHarness ledger, string program, string member, string toProgram, string toMember, long sourcePoints) =>
        ledger.AcceptedAsync(program, new ConvertPoints(program, member, toProgram, toMember, sourcePoints, null, "convert"));

    public static Task<StoredResponse> ReverseAsync(this LedgerHarness ledger, string program, StoredResponse original) =>
        ledger.AcceptedAsync(program, new Reverse(program, Responses.TransactionIdOf(original), "reverse"));

    /// <summary>Runs one expiry batch as of <paramref name="asOf"/> on the harness's writer.</summary>
    public static Task<ExpiryBatchResult> ExpireAsync(
        this LedgerHarness ledger, DateTimeOffset asOf, int budget = LargeBudget, bool dryRun = false, string? program = null,
        IReadOnlyList<int>? horizons = null) =>
        ledger.Writer.ExpireAsync(new ExpireBatch(asOf, program, horizons ?? Horizons, budget, dryRun), ledger.NextKey("expiry"));

    /// <summary>Runs one expiry batch as of the fake clock's now.</summary>
    public static Task<ExpiryBatchResult> ExpireNowAsync(this LedgerHarness ledger, int budget = LargeBudget) =>
        ledger.ExpireAsync(ledger.Now(), budget);

    /// <summary>Runs one expiry batch on any writer and returns its result, failing the test on a refusal.</summary>
    public static async Task<ExpiryBatchResult> ExpireAsync(this ILedgerWriter writer, ExpireBatch batch, string key)
    {
        ExpiryBatchResult? result = null;
        var outcome = await writer.WriteAsync(LedgerHarness.Scope(IdempotencyScope.OperatorPrincipal, key), batch, o =>
        {
            result = o.IsSuccess ? o.Value : null;
            return Responses.Encode(o);
        }, CancellationToken.None);
        Assert.True(outcome.IsSuccess, $"{batch} was refused by the writer: {outcome}");
        Assert.False(outcome.Value.Response.IsRefusal, $"{batch} was refused: {Responses.Text(outcome.Value.Response)}");
        Assert.False(outcome.Value.Replayed);
        return result ?? throw new InvalidOperationException("The expiry batch succeeded without a result.");
    }

    /// <summary>Runs batches as of one moment until one is not full; at most <paramref name="maxBatches"/>.</summary>
    public static async Task<List<ExpiryBatchResult>> ExpireInBatchesAsync(
        this ILedgerWriter writer, LedgerHarness ledger, DateTimeOffset asOf, int budget, int maxBatches = 50)
    {
        var results = new List<ExpiryBatchResult>();
        do
        {
            Assert.True(results.Count < maxBatches, "The expiry run did not finish.");
            results.Add(await writer.ExpireAsync(new ExpireBatch(asOf, null, Horizons, budget, DryRun: false), ledger.NextKey("batch")));
        }
        while (results[^1].Full);
        return results;
    }

    /// <summary>A dry run as the server makes one: a forecast read in slices of <paramref name="accountIdsPerSlice"/> account ids.</summary>
    public static async Task<ExpiryBatchResult> ForecastAsync(
        this LedgerHarness ledger, DateTimeOffset asOf, int accountIdsPerSlice = 512, IReadOnlyList<int>? horizons = null, string? program = null)
    {
        var outcome = await new ExpiryForecast(ledger.Database, accountIdsPerSlice)
            .ForecastAsync(asOf, program, horizons ?? Horizons, ledger.Now(), CancellationToken.None);
        Assert.True(outcome.IsSuccess, $"The forecast was refused: {outcome}");
        return outcome.Value;
    }

    public static Task AssertAuditCleanAsync(this LedgerHarness ledger) => ledger.AssertVerifiedAsync();

    public static Task<List<LotRow>> LotsAsync(this LedgerHarness ledger, string program, string member) =>
        QueryAsync(ledger,
            "SELECT l.id, l.sequence, l.expires_at_micros, l.original_points, l.remaining_points FROM point_lots l " +
            "JOIN accounts a ON a.id = l.account_id WHERE a.program_code = $program AND a.member_number = $member ORDER BY l.id",
            r => new LotRow(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : Time.FromMicros(r.GetInt64(2)), r.GetInt64(3), r.GetInt64(4)),
            ("$program", program), ("$member", member));

    /// <summary>The lot movements of one transaction, in the order they were made: (lot id, points).</summary>
    public static Task<List<(long LotId, long Points)>> MovementsAsync(this LedgerHarness ledger, long sequence) =>
        QueryAsync(ledger, "SELECT lot_id, points FROM lot_movements WHERE sequence = $seq ORDER BY id",
            r => (r.GetInt64(0), r.GetInt64(1)), ("$seq", sequence));

    public static async Task<long> BalanceAsync(this LedgerHarness ledger, string program, string member) =>
        (await QueryAsync(ledger,
            "SELECT balance_points FROM accounts WHERE program_code = $program AND kind = $kind AND member_number = $member",
            r => r.GetInt64(0), ("$program", program), ("$kind", (int)AccountKind.Member), ("$member", member))).Single();

    /// <summary>The balance of a program's system account (0 when it was never opened).</summary>
    public static async Task<long> SystemBalanceAsync(this LedgerHarness ledger, string program, AccountKind kind) =>
        (await QueryAsync(ledger, "SELECT balance_points FROM accounts WHERE program_code = $program AND kind = $kind",
            r => r.GetInt64(0), ("$program", program), ("$kind", (int)kind))).SingleOrDefault();

    public static Task<List<long>> SequencesOfKindAsync(this LedgerHarness ledger, TransactionKind kind) =>
        QueryAsync(ledger, "SELECT sequence FROM transactions WHERE kind = $kind ORDER BY sequence", r => r.GetInt64(0), ("$kind", (int)kind));

    public static Task<List<PostingRow>> PostingsAsync(this LedgerHarness ledger, long sequence) =>
        QueryAsync(ledger, "SELECT account_kind, program_code, member_number, amount_points FROM postings WHERE sequence = $seq ORDER BY id",
            r => new PostingRow((AccountKind)r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetInt64(3)), ("$seq", sequence));

    public static async Task<string> TransactionIdAsync(this LedgerHarness ledger, long sequence) =>
        (await QueryAsync(ledger, "SELECT transaction_id FROM transactions WHERE sequence = $seq", r => r.GetString(0), ("$seq", sequence))).Single();

    public static async Task<IReadOnlyList<EventRecord>> EventsAsync(this LedgerHarness ledger, string program) =>
        await ledger.EventsAfterAsync(program, 0);

    public static async Task<List<EventRecord>> EventsAsync(this LedgerHarness ledger, string program, EventKind kind) =>
        (await ledger.EventsAsync(program)).Where(e => e.Kind == kind).ToList();

    /// <summary>
    /// Every row of every table an expiry run may touch, and SQLite's autoincrement counters, as text: equal
    /// snapshots mean nothing was written (not even a consumed id).
    /// </summary>
    public static async Task<List<string>> SnapshotAsync(this LedgerHarness ledger)
    {
        var rows = new List<string>();
        foreach (var table in new[]
        {
            "accounts", "transactions", "postings", "point_lots", "lot_movements", "expiry_warnings", "events", "idempotency_records",
            "sqlite_sequence",
        })
        {
            rows.AddRange(await QueryAsync(ledger, $"SELECT * FROM {table} ORDER BY 1, 2",
                r => table + ": " + string.Join(", ", Enumerable.Range(0, r.FieldCount).Select(i => Cell(r, i)))));
        }
        return rows;
    }

    private static string Cell(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? "null"
        : reader.GetValue(ordinal) is byte[] bytes ? Convert.ToHexString(bytes)
        : Convert.ToString(reader.GetValue(ordinal), CultureInfo.InvariantCulture) ?? "";

    private static Task<List<TRow>> QueryAsync<TRow>(
        LedgerHarness ledger, string sql, Func<DbDataReader, TRow> read, params (string Name, object Value)[] parameters) =>
        ledger.QueryAsync(sql, read, parameters);
}
