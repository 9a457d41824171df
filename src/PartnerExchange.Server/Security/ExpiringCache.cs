namespace PartnerExchange.Server.Security;

/// <summary>
/// A cache of at most <c>capacity</c> entries, each until its own expiry: a full cache makes room by dropping its
/// least recently used entry, and expired entries leave as soon as they are met or reach the cold end. One lock
/// guards it; each operation is a dictionary lookup and a few list links.
/// </summary>
internal sealed class ExpiringCache<TValue>(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    // Most recently used first.
    private readonly LinkedList<Entry> _recency = new();
    private readonly Lock _lock = new();

    private sealed record Entry(string Key, TValue Value, DateTimeOffset ExpiresAt);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(string key, DateTimeOffset now, out TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                if (node.Value.ExpiresAt > now)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    value = node.Value.Value;
                    return true;
                }
                Drop(node);
            }
        }
        value = default!;
        return false;
    }

    public void Set(string key, TValue value, DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (capacity == 0)
        {
            return;
        }
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                Drop(existing);
            }
            // The cold end holds what expired first: drop it, then whatever the new entry needs room for.
            while (_recency.Last is { } coldest && (coldest.Value.ExpiresAt <= now || _entries.Count >= capacity))
            {
                Drop(coldest);
            }
            _entries[key] = _recency.AddFirst(new Entry(key, value, expiresAt));
        }
    }

    public void Remove(string key)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                Drop(node);
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _recency.Clear();
        }
    }

    private void Drop(LinkedListNode<Entry> node)
    {
        _entries.Remove(node.Value.Key);
        _recency.Remove(node);
    }
}
