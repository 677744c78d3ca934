namespace Osipy.MappedCache.Caching;

/// <summary>
/// The entries a session holds, in least-recently-used order, and the bytes they account for.
/// Not thread-safe: the cache calls it under its lock.
/// </summary>
/// <remarks>
/// Eviction order: from least to most recently used (put or get), skipping entries with live
/// leases and the entry being put or got, until the held bytes fit the budget. If only leased
/// entries remain, the budget is exceeded until their leases end; a single entry larger than the
/// budget is kept, as the seed keeps it.
/// </remarks>
internal sealed class EntryTable
{
    private readonly Dictionary<EntryKey, EntryState> _entries = [];
    private readonly LinkedList<EntryState> _lru = new(); // First = most recently used

    public int Count => _entries.Count;

    public long HeldBytes { get; private set; }

    public EntryState? Find(EntryKey key) => _entries.GetValueOrDefault(key);

    public void Add(EntryState state)
    {
        _entries.Add(state.Key, state);
        state.LruNode = _lru.AddFirst(state);
        HeldBytes += state.SizeBytes;
    }

    public EntryState? Remove(EntryKey key)
    {
        if (!_entries.Remove(key, out EntryState? state))
        {
            return null;
        }

        _lru.Remove(state.LruNode!);
        state.LruNode = null;
        HeldBytes -= state.SizeBytes;
        return state;
    }

    public void Touch(EntryState state)
    {
        if (state.LruNode is { } node && node != _lru.First)
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
        }
    }

    /// <summary>Empties the table, returning what it held.</summary>
    public List<EntryState> RemoveAll()
    {
        List<EntryState> all = [.. _entries.Values];
        _entries.Clear();
        _lru.Clear();
        HeldBytes = 0;
        return all;
    }

    public List<EntryState> Where(Func<EntryState, bool> predicate) => [.. _entries.Values.Where(predicate)];

    /// <summary>The entries to evict so that the held bytes fit <paramref name="budgetBytes"/>.</summary>
    public List<EntryState> ChooseEvictions(long budgetBytes, EntryState? keep)
    {
        var victims = new List<EntryState>();
        long held = HeldBytes;
        for (LinkedListNode<EntryState>? node = _lru.Last; node is not null && held > budgetBytes; node = node.Previous)
        {
            EntryState candidate = node.Value;
            if (candidate != keep && !candidate.IsLeased)
            {
                victims.Add(candidate);
                held -= candidate.SizeBytes;
            }
        }

        return victims;
    }
}
