using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;

namespace Osipy.MappedCache.Caching;

/// <summary>What a look-up in the table found.</summary>
internal enum LookupOutcome
{
    /// <summary>Held, mapped and known to match the disk: a lease was taken.</summary>
    Hit,

    /// <summary>Held, but the key's generation moved: the file must be checked before the entry is trusted.</summary>
    Stale,

    /// <summary>Held and current, but not mapped (a CACHED entry this session wrote, or one unmapped to bound the mappings).</summary>
    Unmapped,

    /// <summary>Not held (or expired, now removed): the disk decides.</summary>
    Absent,
}

/// <summary>What <see cref="EntryCache.Find"/> found.</summary>
/// <param name="Outcome">Hit, absent, stale (another process changed the key's bucket) or held unmapped.</param>
/// <param name="State">The entry held, if any.</param>
/// <param name="Generation">The key's bucket generation read by the look-up.</param>
/// <param name="Leased">On a hit with a lease asked for, the state's mapping with one lease reference
/// taken (<see cref="SegmentMapping.AddLease"/>): the caller owns it, and hands it to the
/// <see cref="MappedArray"/> it returns or releases it. Not an object, so a hit makes one: the array.</param>
internal readonly record struct Lookup(LookupOutcome Outcome, EntryState? State, long Generation, SegmentMapping? Leased);

/// <summary>
/// The entries a session holds and the one lock over them. Owns every decision: look-up,
/// admission, replacement, removal, expiry, the budget and its eviction order, the counters.
/// </summary>
/// <remarks>
/// <para>Invariant (what the lock keeps coherent): the table holds at most one entry per key;
/// an entry's <see cref="EntryState.SeenGeneration"/> is a value of its key's generation counter
/// read no earlier than the moment the entry was last known to match the file its path names;
/// <see cref="EntryTable.HeldBytes"/> and <see cref="EntryTable.MappedCount"/> are the sums over
/// the table. Nothing under the lock does file I/O or unmaps: entries that leave go into a
/// <see cref="Retired"/> list that the caller lets go after the lock (<see cref="LetGo"/>).</para>
/// <para>Hits without the lock: the common hit (held, mapped, unexpired, generation unchanged,
/// table within bounds) reads the table and takes its lease by reference counts alone
/// (<see cref="TryHitWithoutLock"/>), so threads hitting at once share no lock and no written
/// cache line but their entries'. Everything else takes the lock and decides as before.</para>
/// <para>Coherence: a look-up trusts an entry only while its key's shared generation counter
/// still has the value the entry saw; otherwise the caller re-checks the file (one statx) and
/// either <see cref="Confirm"/>s the entry or <see cref="Drop"/>s it.</para>
/// </remarks>
internal sealed partial class EntryCache
{
    private readonly CacheSettings _settings;
    private readonly GenerationTable _generations;
    private readonly LastUseTable _lastUse;
    private readonly SegmentPublisher _publisher;
    private readonly CacheCounters _counters;
    private readonly Action<EntryState, Exception> _cleanupFailed;
    private readonly Lock _gate = new();
    private readonly EntryTable _table = new();
    private readonly EvictedButLeased _evictedButLeased = new();
    private bool _disposed;

    public EntryCache(CacheSettings settings, SegmentPublisher publisher, LastUseTable lastUse, CacheCounters counters, Action<EntryState, Exception> cleanupFailed)
    {
        _settings = settings;
        _publisher = publisher;
        _generations = publisher.Generations;
        _lastUse = lastUse;
        _counters = counters;
        _cleanupFailed = cleanupFailed;
    }

    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Entries held and their bytes, for statistics.</summary>
    public (int Entries, long Bytes) Measure()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(IntermediateCache)); // the caller knows the facade, not this room
            return (_table.Count, _table.HeldBytes + _evictedButLeased.Bytes());
        }
    }

    /// <summary>Looks <paramref name="key"/> up; on a hit takes a lease (if asked) and counts the hit.</summary>
    /// <exception cref="ObjectDisposedException">The session has ended.</exception>
    public Lookup Find(EntryKey key, bool takeLease)
    {
        if (takeLease && TryHitWithoutLock(key) is { } hit)
        {
            return hit;
        }

        Retired? retired = null; // made only when something leaves: a hit allocates nothing here
        Lookup result;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(IntermediateCache)); // the caller knows the facade, not this room
            result = FindLocked(key, takeLease, ref retired);
        }

        if (retired is not null)
        {
            LetGo(retired);
        }

        return result;
    }

    /// <summary>
    /// The entry was checked against its file after <paramref name="generation"/> was read: trust it
    /// up to that generation and, if asked and it is mapped, take a lease (a hit) at once.
    /// </summary>
    /// <returns>The lease; null if not asked, not mapped, or the entry left the table meanwhile.</returns>
    public MappingLease? Confirm(EntryState state, long generation, bool takeLease)
    {
        lock (_gate)
        {
            if (_disposed || _table.Find(state.Key) != state)
            {
                return null;
            }

            if (generation - state.SeenGeneration > 0)
            {
                state.SeenGeneration = generation;
            }

            if (!takeLease || state.Mapping is null)
            {
                return null;
            }

            Used(state);
            return new MappingLease(state.Mapping);
        }
    }

    /// <summary>Removes an entry found not to match its file any more (or to be gone).</summary>
    public void Drop(EntryState state)
    {
        Retired retired = new();
        lock (_gate)
        {
            if (_table.Find(state.Key) == state)
            {
                _table.Remove(state.Key);
                retired.Add(state, removeFile: false);
            }
        }

        LetGo(retired);
    }

    /// <summary>
    /// Admits <paramref name="state"/> (with its mapping, if any), replacing what the table held
    /// for the key, and evicts over budget. Called by the key's single-flight holder, so no other
    /// thread of this session changes the key meanwhile.
    /// </summary>
    /// <returns>A lease on the mapping if <paramref name="takeLease"/> (and the entry is mapped).</returns>
    /// <exception cref="ObjectDisposedException">The session has ended; the mapping is released.</exception>
    public MappingLease? Admit(EntryState state, SegmentMapping? mapping, bool takeLease)
    {
        Retired retired = new();
        MappingLease? lease = null;
        try
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    mapping?.Dispose();
                    throw new ObjectDisposedException(typeof(IntermediateCache).FullName);
                }

                if (_table.Remove(state.Key) is { } previous)
                {
                    // Its file was replaced or removed by whatever made this admission: only the mapping goes.
                    retired.Add(previous, removeFile: false);
                }

                _table.Add(state);
                StampShared(state);
                if (mapping is not null)
                {
                    _table.SetMapping(state, mapping);
                    lease = takeLease ? new MappingLease(mapping) : null;
                }

                EvictOverBudget(keep: state, retired);
            }
        }
        finally
        {
            LetGo(retired);
        }

        return lease;
    }

    /// <summary>Maps an entry held unmapped; another thread may have mapped it first, then its mapping wins.</summary>
    /// <returns>A lease, or null if the entry left the table meanwhile (the caller loads from disk).</returns>
    public MappingLease? AttachMapping(EntryState state, SegmentMapping mapping)
    {
        Retired retired = new();
        MappingLease? lease = null;
        lock (_gate)
        {
            if (!_disposed && _table.Find(state.Key) == state)
            {
                if (state.Mapping is null)
                {
                    _table.SetMapping(state, mapping);
                }
                else
                {
                    mapping.Dispose();
                }

                lease = new MappingLease(state.Mapping!);
                Used(state);
                EvictOverBudget(keep: state, retired);
            }
            else
            {
                mapping.Dispose();
            }
        }

        LetGo(retired);
        return lease;
    }

    /// <summary>Removes the key's entry (its file is the caller's business).</summary>
    public void Forget(EntryKey key)
    {
        Retired retired = new();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(IntermediateCache)); // the caller knows the facade, not this room
            if (_table.Remove(key) is { } state)
            {
                retired.Add(state, removeFile: false);
            }
        }

        LetGo(retired);
    }

    /// <summary>Removes every entry of <paramref name="resultType"/> (all when null); their files are the caller's business.</summary>
    public void ForgetAll(string? resultType)
    {
        Retired retired = new();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(IntermediateCache)); // the caller knows the facade, not this room
            foreach (EntryState state in _table.Where(s => resultType is null || s.Key.ResultType == resultType))
            {
                _table.Remove(state.Key);
                retired.Add(state, removeFile: false);
            }
        }

        LetGo(retired);
    }

    /// <summary>Ends the session: every entry leaves, and this session's CACHED files are removed if still its own.</summary>
    /// <returns>false if already disposed.</returns>
    public bool Dispose()
    {
        Retired retired = new();
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _disposed = true;
            foreach (EntryState state in _table.RemoveAll())
            {
                retired.Add(state, removeFile: state.OwnedCached);
            }
        }

        LetGo(retired);
        return true;
    }

    /// <summary>A use of the entry: its place in this session's recency order and in the directory's last-use table (every process's).</summary>
    private void Used(EntryState state)
    {
        _table.Touch(state);
        StampShared(state);
    }

    private void StampShared(EntryState state) => _lastUse.Stamp(state.Location.LastUseSlot, _settings.UnixMillisecondsNow());

    /// <summary>Lets go of retired entries, outside the lock: drops their mappings, removes files that were asked for.</summary>
    public void LetGo(Retired retired)
    {
        if (retired.IsEmpty)
        {
            return;
        }

        foreach (SegmentMapping mapping in retired.Mappings)
        {
            mapping.Dispose();
        }

        foreach ((EntryState state, bool expired) in retired.ToLog)
        {
            if (expired)
            {
                CacheMetrics.Expiration(state.Entry.ResultType);
                Log.Expired(_settings.Logger, state.Entry.Key, state.Entry.ResultType, state.Entry.CreatedAt);
            }
            else
            {
                CacheMetrics.Eviction(state.Entry.ResultType);
                Log.Evicted(_settings.Logger, state.Entry.Key, state.Entry.ResultType, state.SizeBytes);
            }
        }

        foreach ((EntryState state, bool removeFile) in retired.Items)
        {
            state.Mapping?.Dispose();
            if (removeFile)
            {
                try
                {
                    // Only if the path still names the file this session knew: another session's
                    // later put of the key is never touched.
                    _publisher.RemoveIfSame(state.Path, state.Identity);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _cleanupFailed(state, ex);
                }
            }
        }
    }
}
