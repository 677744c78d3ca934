namespace Osipy.MappedCache.Caching;

/// <summary>
/// The entries a session holds, in least-recently-used order, and the bytes they account for.
/// Not thread-safe: the cache calls it under its lock.
/// </summary>
/// <remarks>
/// Eviction order: from least to most recently used (put or get), skipping entries with live
/// leases and the entry being put or got, until the held bytes fit the budget. The same order
/// picks mappings to drop when more segments are mapped than allowed. If only leased
/// entries remain, the budget is exceeded until their leases end; a single entry larger than the
/// budget is kept, as the seed keeps it.
/// </remarks>
internal sealed class EntryTable
{
    private readonly Dictionary<EntryKey, EntryState> _entries = [];
    private readonly LinkedList<EntryState> _lru = new(); // First = most recently used

    public int Count => _entries.Count;

    public long HeldBytes { get; private set; }

    /// <summary>Entries whose segment is mapped: each costs the process one mapping.</summary>
    public int MappedCount { get; private set; }

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
        MappedCount -= state.Mapping is null ? 0 : 1;
        return state;
    }

    /// <summary>Records that an entry in the table is now mapped.</summary>
    public void SetMapping(EntryState state, Mapping.SegmentMapping mapping)
    {
        if (state.Mapping is not null)
        {
            throw new InvalidOperationException("The entry is already mapped.");
        }

        state.Mapping = mapping;
        MappedCount++;
    }

    /// <summary>Detaches an entry's mapping (the caller releases it); the entry stays.</summary>
    public Mapping.SegmentMapping? TakeMapping(EntryState state)
    {
        Mapping.SegmentMapping? mapping = state.Mapping;
        MappedCount -= mapping is null ? 0 : 1;
        state.Mapping = null;
        return mapping;
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
        MappedCount = 0;
        return all;
    }

    public List<EntryState> Where(Func<EntryState, bool> predicate) => [.. _entries.Values.Where(predicate)];

    /// <summary>Mapped entries to unmap, least recently used first, so that at most <paramref name="maxMapped"/> stay mapped.</summary>
    public List<EntryState> ChooseUnmaps(int maxMapped, EntryState? keep)
    {
        var victims = new List<EntryState>();
        int mapped = MappedCount;
        for (LinkedListNode<EntryState>? node = _lru.Last; node is not null && mapped > maxMapped; node = node.Previous)
        {
            EntryState candidate = node.Value;
            if (candidate != keep && candidate.Mapping is not null && !candidate.IsLeased)
            {
                victims.Add(candidate);
                mapped--;
            }
        }

        return victims;
    }

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
