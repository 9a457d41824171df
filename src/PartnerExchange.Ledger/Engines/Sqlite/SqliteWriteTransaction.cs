using Microsoft.Data.Sqlite;
using PartnerExchange.Ledger.Stores;
using SQLitePCL;

namespace PartnerExchange.Ledger.Engines.Sqlite;

/// <summary>
/// The write transaction on SQLite: one connection owned by the single writer, <c>BEGIN IMMEDIATE</c> per group
/// (the file's write lock until commit), a <c>SAVEPOINT</c> per request when the group isolates them, and the
/// stores over one cache of prepared statements. Sequence numbers are read once per group inside the write lock,
/// so another process writing the same file can never make the writer reuse a number.
/// </summary>
internal sealed class SqliteWriteTransaction : LedgerWriteTransaction
{
    private readonly SqliteConnection _connection;
    private readonly Dictionary<string, WriteStatement> _statements = new(StringComparer.Ordinal);
    private readonly SqliteAccountStore _accounts;
    private SqliteTransaction? _transaction;
    private long _nextSequence;
    private long _requestSequenceMark;
    private long _requestChangesMark;

    /// <summary>Opens the writer's own connection to the ledger's file and the write transaction on it.</summary>
    public static SqliteWriteTransaction Open(LedgerDatabase database, TimeProvider clock) => new(database.OpenWriterConnection(), clock);

    private SqliteWriteTransaction(SqliteConnection connection, TimeProvider clock)
        : base(clock)
    {
        _connection = connection;
        _accounts = new SqliteAccountStore(this);
        Lots = new SqliteLotStore(this);
        Transactions = new SqliteTransactionStore(this);
        Events = new SqliteEventOutbox(this);
        Obligations = new SqliteObligationStore(this);
        IdempotencyRecords = new SqliteIdempotencyStore(this);
        Partners = new SqlitePartnerStore(this);
        Rates = new SqliteRateStore(this);
        ApiKeys = new SqliteApiKeyStore(this);
        Expiry = new SqliteExpiryStore(this);
        Settlement = new SqliteSettlementStore(this);
    }

    public override IAccountStore Accounts => _accounts;

    public override ILotStore Lots { get; }

    public override ITransactionStore Transactions { get; }

    public override IEventOutbox Events { get; }

    public override IObligationStore Obligations { get; }

    public override IIdempotencyStore IdempotencyRecords { get; }

    public override IPartnerStore Partners { get; }

    public override IRateStore Rates { get; }

    public override IApiKeyStore ApiKeys { get; }

    public override IExpiryStore Expiry { get; }

    public override ISettlementStore Settlement { get; }

    protected override void BeginEngineGroup()
    {
        _transaction = _connection.BeginTransaction(deferred: false);
        _accounts.Forget();
        // Read the next sequence inside the write lock, so another process writing the same file cannot
        // make us reuse a number.
        _nextSequence = Scalar("SELECT COALESCE(MAX(sequence), 0) + 1 FROM transactions") ?? 1;
    }

    internal override void CommitGroup() => _transaction!.Commit();

    internal override void EndGroup()
    {
        // Disposing an uncommitted transaction rolls it back.
        _transaction?.Dispose();
        _transaction = null;
    }

    public override long TakeSequence() => _nextSequence++;

    internal override void OpenRequestSavepoint()
    {
        if (IsolatesRequests)
        {
            Execute("SAVEPOINT request");
        }
        _requestSequenceMark = _nextSequence;
        _requestChangesMark = raw.sqlite3_total_changes(_connection.Handle);
    }

    protected override bool RollBackUnisolatedRequest()
    {
        _nextSequence = _requestSequenceMark;
        return raw.sqlite3_total_changes(_connection.Handle) == _requestChangesMark;
    }

    protected override void RollBackToRequestSavepoint()
    {
        _nextSequence = _requestSequenceMark;
        _accounts.Forget();
        Execute("ROLLBACK TO request");
    }

    internal override void ReleaseRequestSavepoint()
    {
        if (IsolatesRequests)
        {
            Execute("RELEASE request");
        }
    }

    /// <summary>SQLITE_BUSY, NOMEM, INTERRUPT, IOERR, CORRUPT and FULL may have rolled the whole transaction back.</summary>
    internal override bool EndsTransaction(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 7 or 9 or 10 or 11 or 13 };

    /// <summary>Runs a statement: the rows an INSERT, UPDATE or DELETE changed.</summary>
    public int Execute(string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters) => Statement(sql).Execute(parameters);

    /// <summary>The first column of the first row as an integer, or null.</summary>
    public long? Scalar(string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters) => Statement(sql).Scalar(parameters);

    /// <summary>Runs a query: its rows, to read and then dispose.</summary>
    public WriteRows Query(string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters) => Statement(sql).Query(parameters);

    /// <summary>The first column of the first row as text, or null.</summary>
    public string? QueryString(string sql, params ReadOnlySpan<(string Name, SqlValue Value)> parameters)
    {
        using var reader = Query(sql, parameters);
        return reader.Read() ? reader.GetString(0) : null;
    }

    private WriteStatement Statement(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            // On the connection's own handle, so the statement runs inside the transaction begun on it.
            statement = new WriteStatement(_connection.Handle!, sql);
            _statements.Add(sql, statement);
        }
        return statement;
    }

    public override void Dispose()
    {
        _transaction?.Dispose();
        // Statements first: a connection closed under prepared statements would linger open.
        foreach (var statement in _statements.Values)
        {
            statement.Dispose();
        }
        _connection.Dispose();
    }
}
