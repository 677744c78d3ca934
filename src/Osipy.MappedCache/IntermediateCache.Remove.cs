using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache;

public sealed partial class IntermediateCache
{
    /// <summary>Removes the entry under (<paramref name="resultType"/>, <paramref name="key"/>) from this session and from disk.</summary>
    /// <remarks>Live leases on it keep their data; the file is unlinked at once.</remarks>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public void Invalidate(string resultType, string key)
    {
        CheckKey(resultType, key);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_table.Remove(new EntryKey(resultType, key)) is { } state)
            {
                Release(state, deleteOwnedFile: false);
            }

            foreach (SegmentStore store in Stores)
            {
                foreach (SegmentKind kind in SegmentStore.AllKinds)
                {
                    SegmentStore.Delete(store.SegmentPath(resultType, key, kind));
                }
            }
        }
    }

    /// <summary>Removes every entry of <paramref name="resultType"/>, or every entry when it is null, from this session and from disk.</summary>
    /// <remarks>This includes other sessions' files in the directory, as the seed's clear does. Live leases keep their data.</remarks>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public void Clear(string? resultType = null)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (EntryState state in _table.Where(s => resultType is null || s.Key.ResultType == resultType))
            {
                _table.Remove(state.Key);
                Release(state, deleteOwnedFile: false);
            }

            foreach (FileInfo file in AllSegmentFiles(resultType))
            {
                SegmentStore.Delete(file.FullName);
            }
        }
    }

    /// <summary>
    /// Unmaps least-recently-used, unleased entries while too many are mapped, then evicts them
    /// while the held bytes exceed the budget.
    /// </summary>
    private void EvictOverBudget(EntryState? keep)
    {
        foreach (EntryState victim in _table.ChooseUnmaps(Config.MaxMappedSegments, keep))
        {
            if (victim.OwnedCached)
            {
                _table.TakeMapping(victim)!.Dispose(); // still this session's CACHED data: keep the entry
            }
            else
            {
                _table.Remove(victim.Key);
                Release(victim, deleteOwnedFile: false);
            }
        }

        foreach (EntryState victim in _table.ChooseEvictions(_budgetBytes, keep))
        {
            _table.Remove(victim.Key);
            Release(victim, deleteOwnedFile: true);
            _counters.Evictions++;
            Log.Evicted(_logger, victim.Entry.Key, victim.Entry.ResultType, victim.SizeBytes);
        }
    }

    /// <summary>
    /// Drops the cache's reference on an entry that has left the table: its mapping goes when its
    /// last lease goes; a CACHED file of this session's is unlinked if asked.
    /// </summary>
    private static void Release(EntryState state, bool deleteOwnedFile)
    {
        state.Mapping?.Dispose();
        if (deleteOwnedFile && state.OwnedCached)
        {
            SegmentStore.Delete(state.Path);
        }
    }
}
