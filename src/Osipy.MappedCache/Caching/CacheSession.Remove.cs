using Osipy.MappedCache.Files;

namespace Osipy.MappedCache.Caching;

/// <summary>Invalidate and Clear: the table forgets, then the files go, each under its key's lock.</summary>
internal sealed partial class CacheSession
{
    /// <summary>Removes the key from this session and every store on disk, with its raw copy; leases keep their data.</summary>
    public void Invalidate(EntryKey key)
    {
        using KeyedGate<EntryKey>.Holder flight = _flights.Enter(key);
        PendingRemoteChanges.Change? intent = JournalRemoval(key, key.ResultType);
        _entries.Forget(key);
        foreach (SegmentStore store in _stores.All)
        {
            _publisher.Remove(store.Locate(key.ResultType, key.Key));
        }

        RemoveRemote(intent, key, key.ResultType);
    }

    /// <summary>
    /// Removes every entry of <paramref name="resultType"/> (all when null), from every session's
    /// files in the directory, as the seed's clear does, and every raw copy of the type (also those
    /// whose source went some other way); with no type, the quarantine is emptied too.
    /// </summary>
    public void Clear(string? resultType)
    {
        PendingRemoteChanges.Change? intent = JournalRemoval(key: null, resultType);
        _entries.ForgetAll(resultType);
        foreach (FileInfo file in _stores.Segments(resultType))
        {
            _publisher.Remove(KeyLocation.OfSegmentPath(file.FullName));
        }

        foreach (FileInfo copy in _stores.Cached.EnumerateRawCopies(resultType))
        {
            _publisher.RemoveRawCopy(copy.FullName);
        }

        if (resultType is null)
        {
            foreach (SegmentStore store in _stores.All)
            {
                store.Quarantine.Clear();
            }
        }

        RemoveRemote(intent, key: null, resultType);
    }
}
