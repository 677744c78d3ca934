using Microsoft.Extensions.Logging;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Caching;

/// <summary>Look-up, expiry and eviction: the decisions (the common hit without the lock, the rest under it).</summary>
internal sealed partial class EntryCache
{
    /// <summary>Whether an entry created at <paramref name="createdAt"/> is past <see cref="CacheSettings.MaxAgeSeconds"/>.</summary>
    public bool IsExpired(DateTimeOffset createdAt) =>
        _settings.MaxAgeSeconds > 0 && (_settings.Time.GetUtcNow() - createdAt).TotalSeconds > _settings.MaxAgeSeconds;

    /// <summary>Counts and logs an expiry found on disk (the caller removes the file); never under the lock.</summary>
    public void CountExpired(CacheEntry entry)
    {
        Interlocked.Increment(ref _counters.Expirations);
        CacheMetrics.Expiration(entry.ResultType);
        Log.Expired(_settings.Logger, entry.Key, entry.ResultType, entry.CreatedAt);
    }

    /// <summary>
    /// The common hit, without the lock: the entry is held, mapped, unexpired, its key's generation
    /// has not moved, the table is within its bounds, and a lease on the mapping could be taken.
    /// Anything else (null) goes through <see cref="FindLocked"/>, which decides.
    /// </summary>
    /// <remarks>
    /// Racing with a removal is safe: a lease taken on a mapping the table has just let go keeps it
    /// mapped (the file it was read from is unchanged), and a mapping already unmapped refuses the
    /// lease. So a hit that overlaps a replacing put may return the old value, as it could with
    /// the lock, and a hit that starts after the put returns has to see the new entry.
    /// </remarks>
    private Lookup? TryHitWithoutLock(EntryKey key)
    {
        if (Volatile.Read(ref _disposed)
            || _table.Find(key) is not { } state
            || state.Mapping is not { } mapping
            || IsExpired(state.Entry.CreatedAt)
            || _table.IsOverBounds(_settings.BudgetBytes, _settings.MaxMappedSegments))
        {
            return null;
        }

        long generation = _generations.Read(state.Location.Bucket);
        if (generation != state.SeenGeneration || !mapping.TryAddLease())
        {
            return null;
        }

        Used(state);
        return new Lookup(LookupOutcome.Hit, state, generation, mapping);
    }

    private Lookup FindLocked(EntryKey key, bool takeLease, ref Retired? retired)
    {
        EntryState? state = _table.Find(key);
        if (state is null)
        {
            return new Lookup(LookupOutcome.Absent, null, 0, null);
        }

        if (IsExpired(state.Entry.CreatedAt))
        {
            // Expiry belongs to the entry: it leaves the table and its file goes (if still the one it names).
            _table.Remove(key);
            retired ??= new Retired();
            retired.Add(state, removeFile: true);
            Interlocked.Increment(ref _counters.Expirations);
            retired.Log(state, expired: true);
            return new Lookup(LookupOutcome.Absent, null, 0, null);
        }

        long generation = _generations.Read(state.Location.Bucket);
        if (generation != state.SeenGeneration)
        {
            return new Lookup(LookupOutcome.Stale, state, generation, null);
        }

        if (state.Mapping is null)
        {
            return new Lookup(LookupOutcome.Unmapped, state, generation, null);
        }

        Used(state);
        SegmentMapping? leased = null;
        if (takeLease)
        {
            state.Mapping.AddLease(); // the hit is counted by the caller, once the type checks pass
            leased = state.Mapping;
        }

        if (_table.IsOverBounds(_settings.BudgetBytes, _settings.MaxMappedSegments))
        {
            // Leases that ended since the last put may have made older entries evictable.
            EvictOverBudget(keep: state, retired ??= new Retired());
        }

        return new Lookup(LookupOutcome.Hit, state, generation, leased);
    }

    /// <summary>
    /// Brings the table back within its bounds, in this order:
    /// <list type="number">
    /// <item>While more segments are mapped than <see cref="CacheSettings.MaxMappedSegments"/>, unmap the least
    /// recently used unleased entries (a CACHED entry of this session stays in the table, unmapped;
    /// any other leaves it, since the disk still has it).</item>
    /// <item>While the held bytes, with those of entries evicted earlier that leases still hold,
    /// exceed the budget, evict the least recently used entries, leased or not: this session's
    /// CACHED files are removed (if still its own), anything else is only unmapped. A lease keeps
    /// its mapping valid after its entry leaves, and its bytes count until it ends.</item>
    /// </list>
    /// The entry being put or got (<paramref name="keep"/>) is never evicted by its own admission,
    /// so one entry larger than the budget is kept, as the seed keeps it.
    /// </summary>
    private void EvictOverBudget(EntryState? keep, Retired retired)
    {
        foreach (EntryState victim in _table.ChooseUnmaps(_settings.MaxMappedSegments, keep))
        {
            if (victim.OwnedCached)
            {
                retired.AddMapping(_table.TakeMapping(victim)!);
            }
            else
            {
                _table.Remove(victim.Key);
                retired.Add(victim, removeFile: false);
            }
        }

        long stillLeased = _evictedButLeased.Bytes();
        foreach (EntryState victim in _table.ChooseEvictions(_settings.BudgetBytes - stillLeased, keep))
        {
            if (victim.IsLeased)
            {
                _evictedButLeased.Add(victim.Mapping!, victim.SizeBytes);
            }

            _table.Remove(victim.Key);
            retired.Add(victim, removeFile: victim.OwnedCached);
            Interlocked.Increment(ref _counters.Evictions);
            retired.Log(victim, expired: false);
        }
    }
}
