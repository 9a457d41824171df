namespace PartnerExchange.Ledger.Writing;

/// <summary>
/// The requests waiting for the writer, shared fairly among callers (each partner's program, each operator key
/// and each of the exchange's own jobs). It holds at most <c>capacity</c> requests in all and
/// <c>callerCapacity</c> of any one caller, so a caller that floods the exchange is turned away on its own
/// share while the others still get in; and the writer takes one request of each waiting caller in turn,
/// so nobody waits behind another caller's backlog. Each caller's own requests keep their order.
/// </summary>
/// <remarks>One reader (the writer's thread); any number of threads may enqueue.</remarks>
internal sealed class WriteQueue<TRequest> : IDisposable
{
    private readonly int _capacity;
    private readonly int _callerCapacity;
    private readonly Lock _lock = new();
    // One queue per caller ever seen: callers are programs, operator keys and a few jobs, so this stays small.
    private readonly Dictionary<string, Queue<TRequest>> _byCaller = new(StringComparer.Ordinal);
    // The callers with requests waiting, in the order the writer serves them next.
    private readonly Queue<Queue<TRequest>> _turns = new();
    // Set when a request arrives for a reader blocked on an empty queue; no spinning, the reader sleeps.
    private readonly ManualResetEventSlim _arrived = new(false, spinCount: 0);
    private bool _readerBlocked;
    private int _count;
    private bool _completed;

    public WriteQueue(int capacity, int callerCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(callerCapacity, 1);
        _capacity = capacity;
        _callerCapacity = callerCapacity;
    }

    /// <summary>Requests waiting now, of all callers.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Queues <paramref name="request"/> behind the caller's earlier ones. False, and nothing queued, when the
    /// queue or the caller's share of it is full, or the queue is closed.
    /// </summary>
    public bool TryEnqueue(string caller, TRequest request)
    {
        bool wakeReader;
        lock (_lock)
        {
            if (_completed || _count >= _capacity)
            {
                return false;
            }
            if (!_byCaller.TryGetValue(caller, out var waiting))
            {
                waiting = new Queue<TRequest>();
                _byCaller.Add(caller, waiting);
            }
            if (waiting.Count >= _callerCapacity)
            {
                return false;
            }
            if (waiting.Count == 0)
            {
                _turns.Enqueue(waiting);
            }
            waiting.Enqueue(request);
            _count++;
            wakeReader = _readerBlocked;
            _readerBlocked = false;
        }
        // Outside the lock, and only for a reader that sleeps: the common case costs no system call.
        if (wakeReader)
        {
            _arrived.Set();
        }
        return true;
    }

    /// <summary>Blocks until a request is waiting (true), or the queue is closed and empty (false).</summary>
    public bool WaitToRead()
    {
        while (true)
        {
            lock (_lock)
            {
                if (_count > 0)
                {
                    return true;
                }
                if (_completed)
                {
                    return false;
                }
                _readerBlocked = true;
                _arrived.Reset();
            }
            _arrived.Wait();
        }
    }

    /// <summary>
    /// Moves up to <paramref name="most"/> waiting requests into <paramref name="taken"/>: one of each caller in
    /// turn, so a group holds every waiting caller's oldest request before anyone's second.
    /// </summary>
    public void TakeInto(List<TRequest> taken, int most)
    {
        lock (_lock)
        {
            while (taken.Count < most && _turns.TryDequeue(out var waiting))
            {
                taken.Add(waiting.Dequeue());
                _count--;
                if (waiting.Count > 0)
                {
                    _turns.Enqueue(waiting);
                }
            }
        }
    }

    /// <summary>Closes the queue: nothing more is accepted, and the reader drains what is waiting.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
        }
        // A blocked reader finds the queue empty and closed, and ends.
        _arrived.Set();
    }

    public void Dispose() => _arrived.Dispose();
}
