using System.Data;
using System.Globalization;
using Npgsql;
using PartnerExchange.Ledger.Stores;

namespace PartnerExchange.Ledger.Engines.Postgres;

/// <summary>
/// The write transaction on PostgreSQL: one connection owned by the single writer, a READ COMMITTED transaction per
/// group that first takes the ledger's transaction-scoped advisory lock (<see cref="LedgerWriteLockKey"/>), a
/// <c>SAVEPOINT</c> per request when the group isolates them, and the stores over one cache of prepared commands.
/// </summary>
/// <remarks>
/// Several exchange servers may write one database. The advisory lock is their SQLite write lock: a group reads the
/// next sequence only once it holds the lock, and the lock is released after its commit is visible, so sequences (and
/// the outbox's cursors, which the database hands out as rows are inserted) follow commit order across servers with
/// no gap, and every read a group makes sees every earlier group of every server (READ COMMITTED reads the latest
/// commit per statement). The lock dies with its transaction or session, so a server that is killed never holds the
/// others up. Balances stay compare-and-set besides, so no writer is ever overwritten whatever the locking.
/// </remarks>
internal sealed class PostgresWriteTransaction : LedgerWriteTransaction
{
    /// <summary>The advisory lock key of ledger writes: "PXWRITER" in ASCII, to be recognisable in <c>pg_locks</c>.</summary>
    internal const long LedgerWriteLockKey = 0x5058575249544552;

    private readonly NpgsqlDataSource _dataSource;
    private readonly LedgerOptions _options;
    private readonly Dictionary<string, NpgsqlCommand> _commands = new(StringComparer.Ordinal);
    private readonly PostgresAccountStore _accounts;
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private long _nextSequence;
    private long _requestSequenceMark;
    private long _changes;
    private long _requestChangesMark;

    public PostgresWriteTransaction(NpgsqlDataSource dataSource, LedgerOptions options, TimeProvider clock)
        : base(clock)
    {
        _dataSource = dataSource;
        _options = options;
        _accounts = new PostgresAccountStore(this);
        Lots = new PostgresLotStore(this);
        Transactions = new PostgresTransactionStore(this);
        Events = new PostgresEventOutbox(this);
        Obligations = new PostgresObligationStore(this);
        IdempotencyRecords = new PostgresIdempotencyStore(this);
        Partners = new PostgresPartnerStore(this);
        Rates = new PostgresRateStore(this);
        ApiKeys = new PostgresApiKeyStore(this);
        Expiry = new PostgresExpiryStore(this);
        Settlement = new PostgresSettlementStore(this);
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
        var connection = EnsureConnection();
        _transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        _accounts.Forget();
        // Under the ledger's write lock, and only then, read where the sequence goes on: another server's group
        // either committed before (and is seen) or waits for this one.
        Execute("SELECT pg_advisory_xact_lock($1)", LedgerWriteLockKey);
        _nextSequence = Scalar("SELECT COALESCE(MAX(sequence), 0) + 1 FROM transactions") ?? 1;
    }

    internal override void CommitGroup() => _transaction!.Commit();

    internal override void EndGroup()
    {
        var transaction = _transaction;
        _transaction = null;
        if (transaction is null)
        {
            return;
        }
        try
        {
            // Disposing an uncommitted transaction rolls it back.
            transaction.Dispose();
        }
        catch (NpgsqlException) when (_connection is not { FullState: ConnectionState.Open })
        {
            // The session is gone, and PostgreSQL rolled the transaction back with it; the next group reconnects.
        }
    }

    public override long TakeSequence() => _nextSequence++;

    internal override void OpenRequestSavepoint()
    {
        if (IsolatesRequests)
        {
            Execute("SAVEPOINT request");
        }
        _requestSequenceMark = _nextSequence;
        _requestChangesMark = _changes;
    }

    protected override bool RollBackUnisolatedRequest()
    {
        _nextSequence = _requestSequenceMark;
        return _changes == _requestChangesMark;
    }

    protected override void RollBackToRequestSavepoint()
    {
        _nextSequence = _requestSequenceMark;
        _accounts.Forget();
        Execute("ROLLBACK TO SAVEPOINT request");
    }

    internal override void ReleaseRequestSavepoint()
    {
        if (IsolatesRequests)
        {
            Execute("RELEASE SAVEPOINT request");
        }
    }

    /// <summary>
    /// A lost connection, the server shutting down or out of resources, or an internal error end the transaction; any
    /// other error of a statement (a constraint, a bug in SQL) aborts it only up to the request's savepoint.
    /// </summary>
    internal override bool EndsTransaction(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState[..2] is "08" or "53" or "57" or "58" or "XX",
        NpgsqlException => true,
        _ => _connection is not { FullState: ConnectionState.Open },
    };

    /// <summary>Lost or refused sessions, a server shutting down or out of resources, and a lock not granted in time.</summary>
    internal override bool MeansUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState[..2] is "08" or "53" or "57" || postgres.SqlState == PostgresErrorCodes.LockNotAvailable,
        NpgsqlException npgsql => npgsql.IsTransient || _connection is not { FullState: ConnectionState.Open },
        _ => false,
    };

    /// <summary>Runs a statement: the rows an INSERT, UPDATE or DELETE changed.</summary>
    public int Execute(string sql, params ReadOnlySpan<PgValue> parameters)
    {
        var changed = Command(sql, parameters).ExecuteNonQuery();
        if (changed > 0)
        {
            _changes += changed;
        }
        return changed;
    }

    /// <summary>Runs an INSERT … RETURNING of one row: the value returned.</summary>
    public long InsertReturning(string sql, params ReadOnlySpan<PgValue> parameters)
    {
        var value = Command(sql, parameters).ExecuteScalar() ?? throw new InvalidOperationException("INSERT … RETURNING gave nothing.");
        _changes++;
        return Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>The first column of the first row of a query as an integer, or null.</summary>
    public long? Scalar(string sql, params ReadOnlySpan<PgValue> parameters) =>
        Command(sql, parameters).ExecuteScalar() is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;

    /// <summary>Runs a query: its rows, to read and then dispose before the next statement.</summary>
    public NpgsqlDataReader Query(string sql, params ReadOnlySpan<PgValue> parameters) => Command(sql, parameters).ExecuteReader();

    /// <summary>The first column of the first row as text, or null.</summary>
    public string? QueryString(string sql, params ReadOnlySpan<PgValue> parameters)
    {
        using var reader = Query(sql, parameters);
        return reader.Read() && !reader.IsDBNull(0) ? reader.GetString(0) : null;
    }

    /// <summary>
    /// The command of <paramref name="sql"/>, prepared on first use with the types of the values bound then, and
    /// bound anew: PostgreSQL plans it once per session, not per call.
    /// </summary>
    private NpgsqlCommand Command(string sql, ReadOnlySpan<PgValue> values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = new NpgsqlCommand(sql, _connection, _transaction);
            foreach (var value in values)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = value.Type, Value = value.Value ?? DBNull.Value });
            }
            command.Prepare();
            _commands.Add(sql, command);
            return command;
        }
        if (values.Length != command.Parameters.Count)
        {
            throw new InvalidOperationException($"The statement takes {command.Parameters.Count} parameters but {values.Length} were given: {sql}");
        }
        command.Transaction = _transaction;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.Parameters[i];
            if (parameter.NpgsqlDbType != values[i].Type)
            {
                parameter.NpgsqlDbType = values[i].Type;
            }
            parameter.Value = values[i].Value ?? DBNull.Value;
        }
        return command;
    }

    /// <summary>
    /// The writer's session, opened on first use and again after it broke (the server restarted, the network
    /// dropped): the group that saw it break failed, the next one runs on a new session with its commands prepared anew.
    /// </summary>
    private NpgsqlConnection EnsureConnection()
    {
        if (_connection is { FullState: ConnectionState.Open } open)
        {
            return open;
        }
        DisposeSession();
        var connection = _dataSource.OpenConnection();
        try
        {
            // A group waits for another server's group at most this long, as SQLite's writer waits for the file's lock.
            // A commit is acknowledged once flushed to disk, whatever the database's default, unless the options say the
            // data is throwaway (LedgerOptions.DurableCommits, SQLite's synchronous=NORMAL).
            var lockTimeoutMs = ((long)_options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            var synchronousCommit = _options.DurableCommits ? "on" : "off";
            using var settings = new NpgsqlCommand($"SET lock_timeout = {lockTimeoutMs}; SET synchronous_commit = {synchronousCommit}", connection);
            settings.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        _connection = connection;
        return connection;
    }

    private void DisposeSession()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
        _commands.Clear();
        _connection?.Dispose();
        _connection = null;
    }

    public override void Dispose()
    {
        EndGroup();
        DisposeSession();
    }
}
