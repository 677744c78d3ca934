using System.Collections.Concurrent;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The entries a session holds, in least-recently-used order, and the bytes they account for.
/// Changed only under the cache's lock; <see cref="Find"/>, <see cref="Touch"/> and
/// <see cref="IsOverBounds"/> are also safe without it, so that a hit never takes the lock.
/// </summary>
/// <remarks>
/// <para>Eviction order: from least to most recently used (put or get), leased or not, skipping only
/// the entry being put or got, until the held bytes fit the budget (a lease keeps its mapping valid
/// after its entry leaves). The same order, skipping leased entries, picks mappings to drop when
/// more segments are mapped than allowed. A single entry larger than the budget is kept, as the
/// seed keeps it.</para>
/// <para>Recency without the lock: a hit only stamps <see cref="EntryState.LastUsed"/> (as
/// <c>MemoryCache</c> stamps <c>LastAccessed</c>), with a stamp that costs no clock read and no
/// shared write (<see cref="NextStamp"/>). The list is ordered by
/// <see cref="EntryState.ListedAt"/>, the stamp an entry had when last placed, and is put right
/// lazily, when eviction walks it from the oldest end: an entry used since it was placed moves to
/// where its newer stamp belongs. Invariant: the list is sorted by ListedAt, newest first, and
/// ListedAt ≤ LastUsed; so the last entry whose two stamps agree is the least recently used.</para>
/// </remarks>
internal sealed class EntryTable
{
    private readonly ConcurrentDictionary<EntryKey, EntryState> _entries = new();
    private readonly LinkedList<EntryState> _lru = new(); // First = most recently placed
    [ThreadStatic]
    private static long t_uses;

    private long _epoch;
    private long _heldBytes;
    private int _mappedCount;

    public int Count { get; private set; }

    public long HeldBytes => Volatile.Read(ref _heldBytes);

    /// <summary>Entries whose segment is mapped: each costs the process one mapping.</summary>
    public int MappedCount => Volatile.Read(ref _mappedCount);

    /// <summary>The key's entry; safe without the lock.</summary>
    public EntryState? Find(EntryKey key) => _entries.TryGetValue(key, out EntryState? state) ? state : null;

    /// <summary>Whether the table holds more bytes or mappings than allowed; safe without the lock.</summary>
    public bool IsOverBounds(long budgetBytes, int maxMapped) => HeldBytes > budgetBytes || MappedCount > maxMapped;

    public void Add(EntryState state)
    {
        if (!_entries.TryAdd(state.Key, state))
        {
            throw new InvalidOperationException("The table already holds an entry for the key.");
        }

        // A new epoch: the entry is newer than every use stamped before it.
        long epoch = _epoch + 1; // only written under the lock, so this read is the latest
        Volatile.Write(ref _epoch, epoch);
        long now = epoch << 32;
        state.LastUsed = now;
        state.ListedAt = now;
        state.LruNode = _lru.AddFirst(state);
        Count++;
        Volatile.Write(ref _heldBytes, _heldBytes + state.SizeBytes);
    }

    public EntryState? Remove(EntryKey key)
    {
        if (!_entries.TryRemove(key, out EntryState? state))
        {
            return null;
        }

        _lru.Remove(state.LruNode!);
        state.LruNode = null;
        Count--;
        Volatile.Write(ref _heldBytes, _heldBytes - state.SizeBytes);
        Volatile.Write(ref _mappedCount, _mappedCount - (state.Mapping is null ? 0 : 1));
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
        Volatile.Write(ref _mappedCount, _mappedCount + 1);
    }

    /// <summary>Detaches an entry's mapping (the caller releases it); the entry stays.</summary>
    public Mapping.SegmentMapping? TakeMapping(EntryState state)
    {
        Mapping.SegmentMapping? mapping = state.Mapping;
        Volatile.Write(ref _mappedCount, _mappedCount - (mapping is null ? 0 : 1));
        state.Mapping = null;
        return mapping;
    }

    /// <summary>Marks the entry as just used; safe without the lock (one store to the entry).</summary>
    public void Touch(EntryState state) => state.LastUsed = NextStamp();

    /// <summary>
    /// A use's stamp: the table's epoch (bumped by every admission, under the lock) in the high
    /// 32 bits, and the calling thread's count of uses in the low 32. A clock read would cost a
    /// hit about a fifth of its time on this VM (35 ns) and a shared counter would make threads
    /// contend; this is one read of a rarely written field and one thread-local increment.
    /// </summary>
    /// <remarks>
    /// Exact for the uses of one thread, and between any use and the admissions before and after
    /// it. Uses by different threads between two admissions are ordered by each thread's own count,
    /// which is as good as any order for uses that overlap; and when a thread's count wraps (once per
    /// 4 billion uses) one entry may look older than it is until its next use.
    /// </remarks>
    private long NextStamp() => (Volatile.Read(ref _epoch) << 32) | (uint)++t_uses;

    /// <summary>Empties the table, returning what it held.</summary>
    public List<EntryState> RemoveAll()
    {
        List<EntryState> all = [.. _entries.Values];
        _entries.Clear();
        _lru.Clear();
        Count = 0;
        Volatile.Write(ref _heldBytes, 0);
        Volatile.Write(ref _mappedCount, 0);
        return all;
    }

    public List<EntryState> Where(Func<EntryState, bool> predicate) => [.. _entries.Values.Where(predicate)];

    /// <summary>Mapped entries to unmap, least recently used first, so that at most <paramref name="maxMapped"/> stay mapped.</summary>
    public List<EntryState> ChooseUnmaps(int maxMapped, EntryState? keep)
    {
        var victims = new List<EntryState>();
        int mapped = MappedCount;
        if (mapped <= maxMapped)
        {
            return victims;
        }

        foreach (EntryState candidate in OldestFirst())
        {
            if (candidate != keep && candidate.Mapping is not null && !candidate.IsLeased)
            {
                victims.Add(candidate);
                if (--mapped <= maxMapped)
                {
                    break;
                }
            }
        }

        return victims;
    }

    /// <summary>The entries to evict so that the held bytes fit <paramref name="budgetBytes"/>, oldest first, never <paramref name="keep"/>.</summary>
    public List<EntryState> ChooseEvictions(long budgetBytes, EntryState? keep)
    {
        var victims = new List<EntryState>();
        long held = HeldBytes;
        if (held <= budgetBytes)
        {
            return victims;
        }

        foreach (EntryState candidate in OldestFirst())
        {
            if (candidate != keep)
            {
                victims.Add(candidate);
                held -= candidate.SizeBytes;
                if (held <= budgetBytes)
                {
                    break;
                }
            }
        }

        return victims;
    }

    /// <summary>
    /// The entries from least to most recently used, putting the list right on the way: an entry
    /// used since it was placed moves forward to where its stamp belongs and is met again there.
    /// The caller must not change the table while enumerating.
    /// </summary>
    private IEnumerable<EntryState> OldestFirst()
    {
        // Hits keep stamping while the lock is held; bounding the moves keeps a walk finite.
        int movesLeft = 2 * Count;
        LinkedListNode<EntryState>? firstVisited = null; // it and every node after it have been met
        while ((firstVisited is null ? _lru.Last : firstVisited.Previous) is { } node)
        {
            EntryState state = node.Value;
            long used = state.LastUsed;
            if (used > state.ListedAt && movesLeft > 0)
            {
                // Met entries are older than it, so it lands among the unmet ones (at the latest just
                // before firstVisited) and the loop examines the last unmet entry again.
                movesLeft--;
                MoveToStamp(node, used);
                continue;
            }

            firstVisited = node;
            yield return state;
        }
    }

    /// <summary>Moves a node forward to its place by <paramref name="stamp"/> (the list is sorted by ListedAt, newest first).</summary>
    private void MoveToStamp(LinkedListNode<EntryState> node, long stamp)
    {
        _lru.Remove(node);
        node.Value.ListedAt = stamp;
        LinkedListNode<EntryState>? before = _lru.First;
        while (before is not null && before.Value.ListedAt > stamp)
        {
            before = before.Next;
        }

        if (before is null)
        {
            _lru.AddLast(node);
        }
        else
        {
            _lru.AddBefore(before, node);
        }
    }
}
