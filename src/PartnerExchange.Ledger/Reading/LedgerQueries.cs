using Microsoft.EntityFrameworkCore;
using PartnerExchange.Domain.Expiry;
using PartnerExchange.Domain.Ledger;
using PartnerExchange.Domain.Points;
using PartnerExchange.Domain.Rates;
using PartnerExchange.Ledger.Commands;
using PartnerExchange.Ledger.Storage;
using PartnerExchange.Ledger.Writing;

namespace PartnerExchange.Ledger.Reading;

/// <summary>A member account: balance, lifetime totals by kind, and the last transaction that touched it.</summary>
public sealed record AccountSnapshot(
    MemberRecord Member,
    long BalancePoints,
    IReadOnlyDictionary<TransactionKind, (long CreditPoints, long DebitPoints)> Totals,
    long LastSequence);

/// <summary>Which transactions of a program to list, newest first, before an optional sequence cursor.</summary>
public sealed record TransactionFilter(
    string ProgramCode,
    string? MemberNumber,
    IReadOnlyCollection<TransactionKind> Kinds,
    DateTimeOffset? StartAt,
    DateTimeOffset? EndBefore,
    long? BeforeSequence,
    int Limit);

/// <summary>
/// Reads of the ledger and its configuration, the same on every engine. Reads run on connections of their own (WAL
/// on SQLite, MVCC on PostgreSQL), so they never wait for the writer and always see a committed state. The reads every request makes (keys,
/// partners, accounts, rates in effect) are plain SQL on pooled connections with prepared statements;
/// the rarer list reads go through EF Core.
/// </summary>
public sealed class LedgerQueries(LedgerDatabase database)
{
    private const string ApiKeySql =
        "SELECT key_id, role, program_code, label, created_at_micros, revoked_at_micros, secret_hash FROM api_keys WHERE key_id = @id";

    private const string EnrolledSql =
        "SELECT 1 FROM accounts WHERE program_code = @program AND kind = @kind AND member_number = @member";

    // The balance and the totals by kind are one row, so they come from the same committed state.
    private static readonly string AccountRowSql =
        $"SELECT id, created_at_micros, balance_points, last_sequence, {AccountTotalColumns.SelectList} FROM accounts " +
        "WHERE program_code = @program AND kind = @kind AND member_number = @member";

    /// <summary>An API key by id with the hash of its secret, or null.</summary>
    public Task<(ApiKeyRecord Key, byte[] SecretHash)?> FindApiKeyAsync(string keyId, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(keyId, static (connection, id) =>
        {
            using var reader = connection.Command(ApiKeySql, ("@id", id)).ExecuteReader();
            if (!reader.Read())
            {
                return ((ApiKeyRecord, byte[])?)null;
            }
            var key = new ApiKeyRecord(reader.GetString(0), (ApiKeyRole)reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), Time.FromMicros(reader.GetInt64(4)), reader.IsDBNull(5) ? null : Time.FromMicros(reader.GetInt64(5)));
            return (key, (byte[])reader.GetValue(6));
        }, cancellationToken));

    /// <summary>
    /// The response the ledger recorded for this request's idempotency key, read without the writer: null when
    /// the key has no record, or has one of a different request (the writer then decides).
    /// </summary>
    public Task<StoredResponse?> FindRecordedResponseAsync(IdempotencyScope scope, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(scope, static (connection, request) =>
        {
            using var reader = connection.Command(
                IdempotencyRows.FindSql, ("@principal", request.Principal), ("@key", request.IdempotencyKey)).ExecuteReader();
            return reader.Read() && IdempotencyRows.Read(reader) is var earlier && earlier.Matches(request) ? earlier.Response : null;
        }, cancellationToken));

    /// <summary>API keys by id, optionally of one partner, after a cursor.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(
        string? programCode, string? afterKeyId, int limit, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var query = db.ApiKeys.AsQueryable();
        if (programCode is not null)
        {
            query = query.Where(k => k.ProgramCode == programCode);
        }
        if (afterKeyId is not null)
        {
            query = query.Where(k => string.Compare(k.KeyId, afterKeyId) > 0);
        }
        var rows = await query.OrderBy(k => k.KeyId).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToRecord);
    }

    /// <summary>A partner by program code, or null.</summary>
    public Task<PartnerRecord?> GetPartnerAsync(string programCode, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read(programCode, static (connection, code) =>
        {
            using var reader = connection.Command(PartnerRows.ByCodeSql, ("@code", code)).ExecuteReader();
            return reader.Read() ? PartnerRows.Read(reader) : null;
        }, cancellationToken));

    /// <summary>Partners by program code after a cursor.</summary>
    public async Task<IReadOnlyList<PartnerRecord>> ListPartnersAsync(string? afterCode, int limit, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var query = db.Partners.AsQueryable();
        if (afterCode is not null)
        {
            query = query.Where(p => string.Compare(p.ProgramCode, afterCode) > 0);
        }
        var rows = await query.OrderBy(p => p.ProgramCode).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToRecord);
    }

    /// <summary>A member's account, or null when the member is not enrolled in the program.</summary>
    public Task<AccountSnapshot?> GetAccountAsync(string programCode, string memberNumber, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read((programCode, memberNumber), static (connection, member) =>
        {
            using var row = connection.Command(
                AccountRowSql, ("@program", member.programCode), ("@kind", (int)AccountKind.Member), ("@member", member.memberNumber)).ExecuteReader();
            if (!row.Read())
            {
                return null;
            }
            // Only the kinds the account has postings of, as every posting moves some points.
            var totals = new Dictionary<TransactionKind, (long CreditPoints, long DebitPoints)>();
            for (var i = 0; i < AccountTotalColumns.Kinds.Count; i++)
            {
                var (credit, debit) = (row.GetInt64(4 + (2 * i)), row.GetInt64(5 + (2 * i)));
                if (credit != 0 || debit != 0)
                {
                    totals.Add(AccountTotalColumns.Kinds[i], (credit, debit));
                }
            }
            return new AccountSnapshot(
                new MemberRecord(member.programCode, member.memberNumber, Time.FromMicros(row.GetInt64(1))), row.GetInt64(2), totals, row.GetInt64(3));
        }, cancellationToken));

    /// <summary>Whether a member is enrolled in a program.</summary>
    public Task<bool> IsEnrolledAsync(string programCode, string memberNumber, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read((programCode, memberNumber), static (connection, member) =>
            connection.Command(EnrolledSql,
                ("@program", member.programCode), ("@kind", (int)AccountKind.Member), ("@member", member.memberNumber)).ExecuteScalar() is not null,
            cancellationToken));

    /// <summary>Transactions of a program (or one member), newest first, as that program sees them.</summary>
    public async Task<IReadOnlyList<TransactionView>> ListTransactionsAsync(TransactionFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var db = database.CreateContext();
        // Every transaction has exactly one member posting per program it touches, so the member postings
        // of a program list its transactions once each, with the member's movement.
        var postings = db.Postings.Where(p => p.ProgramCode == filter.ProgramCode && p.AccountKind == (int)AccountKind.Member);
        if (filter.MemberNumber is not null)
        {
            postings = postings.Where(p => p.MemberNumber == filter.MemberNumber);
        }
        if (filter.BeforeSequence is { } before)
        {
            postings = postings.Where(p => p.Sequence < before);
        }
        var joined = postings.Join(db.Transactions, p => p.Sequence, t => t.Sequence, (p, t) => new { p, t });
        if (filter.Kinds.Count > 0)
        {
            var kinds = filter.Kinds.Select(k => (int)k).ToList();
            joined = joined.Where(x => kinds.Contains(x.t.Kind));
        }
        if (filter.StartAt is { } start)
        {
            var startMicros = start.ToUnixMicros();
            joined = joined.Where(x => x.t.CreatedAtMicros >= startMicros);
        }
        if (filter.EndBefore is { } end)
        {
            var endMicros = end.ToUnixMicros();
            joined = joined.Where(x => x.t.CreatedAtMicros < endMicros);
        }
        var rows = await joined.OrderByDescending(x => x.p.Sequence).Take(filter.Limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(x => ToView(x.t, x.p, filter.ProgramCode));
    }

    /// <summary>One transaction as a program sees it (its member's leg), or null when it did not touch that program.</summary>
    public async Task<TransactionView?> GetTransactionAsync(string programCode, string transactionId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        // By the transaction id's own index, then its postings by sequence: the program's member leg, if any.
        var row = await db.Transactions.Where(t => t.TransactionId == transactionId)
            .Join(db.Postings.Where(p => p.ProgramCode == programCode && p.AccountKind == (int)AccountKind.Member),
                t => t.Sequence, p => p.Sequence, (t, p) => new { t, p })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToView(row.t, row.p, programCode);
    }

    /// <summary>The version of each direction out of a program in effect at a time, enabled ones only.</summary>
    public async Task<IReadOnlyList<RateRecord>> ListActiveRatesFromAsync(
        string fromProgramCode, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var inEffect = await RatesInEffectAsync(fromProgramCode, null, at, cancellationToken).ConfigureAwait(false);
        return inEffect.Where(r => r.Enabled).ToList();
    }

    /// <summary>The enabled version of one direction in effect at a time, or null.</summary>
    public Task<RateRecord?> FindActiveRateAsync(string from, string to, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(database.Read((from, to, atMicros: at.ToUnixMicros()), static (connection, direction) =>
        {
            using var reader = connection.Command(RateRows.InEffectSql,
                ("@from", direction.from), ("@to", direction.to), ("@at", direction.atMicros)).ExecuteReader();
            return reader.Read() && RateRows.Read(reader) is { Enabled: true } rate ? rate : null;
        }, cancellationToken));

    /// <summary>A rate version by id, or null.</summary>
    public async Task<RateRecord?> GetRateAsync(long rateId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var row = await db.Rates.FirstOrDefaultAsync(r => r.Id == rateId, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    /// <summary>Rate versions, filtered by direction; with history every version, else the one in effect.</summary>
    public async Task<IReadOnlyList<RateRecord>> ListRatesAsync(
        string? from, string? to, bool includeHistory, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!includeHistory)
        {
            return await RatesInEffectAsync(from, to, at, cancellationToken).ConfigureAwait(false);
        }
        await using var db = database.CreateContext();
        var rows = await FilterDirection(db.Rates, from, to)
            .OrderBy(r => r.FromProgramCode).ThenBy(r => r.ToProgramCode).ThenByDescending(r => r.Version)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToRecord);
    }

    private async Task<List<RateRecord>> RatesInEffectAsync(string? from, string? to, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        var atMicros = at.ToUnixMicros();
        var rows = await FilterDirection(db.Rates, from, to).Where(r => r.EffectiveAtMicros <= atMicros)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        // The latest effective version per direction; the rate tables are small (one row per change).
        return rows
            .GroupBy(r => (r.FromProgramCode, r.ToProgramCode))
            .Select(g => g.OrderByDescending(r => r.EffectiveAtMicros).ThenByDescending(r => r.Version).First())
            .OrderBy(r => r.FromProgramCode, StringComparer.Ordinal).ThenBy(r => r.ToProgramCode, StringComparer.Ordinal)
            .Select(ToRecord)
            .ToList();
    }

    private static IQueryable<RateRow> FilterDirection(IQueryable<RateRow> rates, string? from, string? to)
    {
        if (from is not null)
        {
            rates = rates.Where(r => r.FromProgramCode == from);
        }
        if (to is not null)
        {
            rates = rates.Where(r => r.ToProgramCode == to);
        }
        return rates;
    }

    private static TransactionView ToView(TransactionRow t, PostingRow p, string programCode) =>
        new(t.TransactionId, t.Sequence, (TransactionKind)t.Kind, programCode, p.MemberNumber, p.AmountPoints, t.AccrualReason,
            // A partner's reference is its own; the other side of a conversion never sees it.
            t.RequesterProgramCode == programCode ? t.Reference : "", Time.FromMicros(t.CreatedAtMicros), t.ReversesTransactionId,
            // The counterparty of a conversion seen from its destination is the requester.
            t.RequesterProgramCode == programCode ? t.CounterpartyProgramCode : t.RequesterProgramCode,
            t.RateVersion, t.RequesterProgramCode == programCode ? t.FeePoints : 0);

    private static PartnerRecord ToRecord(PartnerRow r) =>
        new(r.ProgramCode, r.DisplayName, r.ProgramName, (PartnerKind)r.Kind, r.Status == PartnerStatus.Suspended,
            r.SettlementCurrency, r.PointPriceMicros,
            r.EarnCurrency is null ? null : new EarnRule(r.EarnCurrency, r.EarnPoints!.Value, r.EarnPerAmountMinor!.Value),
            Time.FromMicros(r.CreatedAtMicros), Time.FromMicros(r.UpdatedAtMicros))
        {
            RateLimits = new PartnerRateLimits(
                Limit(r.WritesPerSecond, r.WritesBurst), Limit(r.ReadsPerSecond, r.ReadsBurst), Limit(r.QuotesPerSecond, r.QuotesBurst)),
            ExpiryPolicy = new ExpiryPolicy((ExpiryPolicyKind)r.ExpiryPolicy, r.ExpiryMonths),
        };

    private static RateLimit? Limit(int? perSecond, int? burst) =>
        perSecond is { } rate && burst is { } allowance ? new RateLimit(rate, allowance) : null;

    private static ApiKeyRecord ToRecord(ApiKeyRow r) =>
        new(r.KeyId, (ApiKeyRole)r.Role, r.ProgramCode, r.Label, Time.FromMicros(r.CreatedAtMicros),
            r.RevokedAtMicros is { } revoked ? Time.FromMicros(revoked) : null);

    private static RateRecord ToRecord(RateRow r) =>
        new(r.Id, r.FromProgramCode, r.ToProgramCode, r.Version,
            new ExchangeRateTerms(r.FromPoints, r.ToPoints, r.MinSourcePoints, r.MaxSourcePoints, r.IncrementPoints,
                r.MemberFeePoints, r.BonusBasisPoints,
                r.BonusStartsAtMicros is { } s ? Time.FromMicros(s) : null,
                r.BonusEndsAtMicros is { } e ? Time.FromMicros(e) : null),
            Time.FromMicros(r.EffectiveAtMicros), r.Enabled, Time.FromMicros(r.CreatedAtMicros));
}
