using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

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
    /// Removes every entry whose record carries <paramref name="tag"/>, in every store, each only if
    /// its path still names the file read (a later put of the key without the tag stays), as
    /// <see cref="Invalidate"/> removes one: the table forgets it, the file and its raw copy go, and
    /// a PERSISTENT one leaves the remote tier too.
    /// </summary>
    /// <returns>How many entries were removed.</returns>
    public int InvalidateTag(string tag)
    {
        ThrowIfDisposed();
        int removed = 0;
        foreach (FileInfo file in _stores.Segments(resultType: null))
        {
            OpenedSegment? opened;
            try
            {
                opened = SegmentReader.TryOpen(file.FullName);
            }
            catch (CorruptSegmentException)
            {
                continue; // not an entry anyone can read; the quarantine is a get's business
            }

            using (opened)
            {
                if (opened is null || !EntryTags.Carries(opened.Record.MetadataJson, tag))
                {
                    continue;
                }

                var key = new EntryKey(opened.Record.ResultType, opened.Record.Key);
                using KeyedGate<EntryKey>.Holder flight = _flights.Enter(key);
                PendingRemoteChanges.Change? intent = opened.Record.Policy == RetentionPolicy.Persistent ? JournalRemoval(key, key.ResultType) : null;
                _entries.Forget(key);
                if (_publisher.RemoveIfSame(file.FullName, opened.Identity))
                {
                    removed++;
                }

                if (intent is not null)
                {
                    RemoveRemote(intent, key, key.ResultType);
                }
            }
        }

        RemoveTaggedRemote(tag);
        return removed;
    }

    /// <summary>
    /// With a remote tier, every cluster entry whose upload carried the tag goes too (those this node
    /// never held included); every node drops its copy through the change log. A failure is counted
    /// and logged, and the cluster's part waits for the next call (it is not journalled).
    /// </summary>
    private void RemoveTaggedRemote(string tag)
    {
        if (ReachableRemote is not { } remote)
        {
            return;
        }

        var scope = new EntryKey("(tag)", tag);
        try
        {
            CacheMetrics.RemoteCall(scope.ResultType);
            remote.RemoveTagged(tag);
            RemoteAnswered();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("remove tagged", scope, ex);
        }
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
