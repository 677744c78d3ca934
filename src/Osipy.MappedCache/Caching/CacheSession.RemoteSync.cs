using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// Keeping the node's remote-backed copies coherent with the tier (docs/SCALE-OUT.md, "Coherence"):
/// a check, run when the session opens (before its first get), when a notice wakes it and every
/// <see cref="RemoteNode.CheckInterval"/>, first sends the changes this node journalled during an
/// outage, then reads the tier's change log from the node's position and re-checks each key it
/// names against the tier's record of it; when the log cannot say what was missed (trimmed, or the
/// node is new to it), every PERSISTENT copy is re-checked. A local copy goes only when the tier
/// holds a removal of its key or another write of it, and never while its own upload is still
/// journalled: a notice or a log entry alone removes nothing.
/// </summary>
internal sealed partial class CacheSession
{
    private const int CheckBatch = 512;

    /// <summary>Listens for the tier's notices, if there is a tier; a failure to subscribe is counted, and the periodic check covers for it.</summary>
    private IDisposable? SubscribeToRemoteChanges()
    {
        try
        {
            return Remote?.Subscribe(_ => _remote!.Noticed());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("subscribe", new EntryKey("*", "*"), ex);
            return null;
        }
    }

    /// <summary>Runs a coherence check now, even while backing off (see <see cref="RemoteNode.CheckNow"/>); nothing without a tier.</summary>
    public void SyncRemote() => _remote?.CheckNow();

    /// <summary>Waits until the tier has delivered <paramref name="count"/> notices to this session (a test's view of delivery); returns how many it has.</summary>
    public int WaitForRemoteNotices(int count, TimeSpan timeout) => _remote?.WaitForNotices(count, timeout) ?? 0;

    /// <summary>One coherence check (see the type's summary); <paramref name="force"/> tries the tier even while backing off. Never throws: a failure is counted and starts a back-off.</summary>
    private void CheckRemoteChanges(bool force)
    {
        if (Remote is not { } remote || _remote is null || IsDisposed || !(force || _remote.Health.ShouldTry || _remote.Health.BackOffEnded))
        {
            return;
        }

        try
        {
            if (!ReplayPending(remote))
            {
                return;
            }

            string? position = _remote.Files.ReadPosition();
            RemoteChangeLog log = remote.ReadChanges(position);
            if (log.Complete)
            {
                Apply(remote, log.Changes);
            }
            else
            {
                Recheck(remote, StoredPersistentKeys(resultType: null));
            }

            if (log.Position != position)
            {
                _remote.Files.WritePosition(log.Position);
            }

            RemoteAnswered();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("change log", new EntryKey("*", "*"), ex);
        }
    }

    private void Apply(IRemoteTier remote, IReadOnlyList<RemoteChange> changes)
    {
        var keys = new HashSet<EntryKey>();
        foreach (RemoteChange change in changes)
        {
            if (change.Key is not null && change.ResultType is not null)
            {
                keys.Add(new EntryKey(change.ResultType, change.Key));
            }
            else
            {
                keys.UnionWith(StoredPersistentKeys(change.ResultType)); // a whole type (or everything) changed
            }
        }

        Recheck(remote, keys);
    }

    /// <summary>Asks the tier about each key and drops the local copies it has superseded.</summary>
    private void Recheck(IRemoteTier remote, IEnumerable<EntryKey> keys)
    {
        foreach (EntryKey[] batch in keys.Chunk(CheckBatch))
        {
            IReadOnlyList<RemoteKeyState> states = remote.Check([.. batch.Select(k => new RemoteKey(k.ResultType, k.Key))]);
            for (int i = 0; i < batch.Length; i++)
            {
                DropIfSuperseded(batch[i], states[i]);
            }
        }
    }

    private void DropIfSuperseded(EntryKey key, RemoteKeyState state)
    {
        if (state.Status == RemoteKeyStatus.Unreadable)
        {
            Rejected(key);
            return;
        }

        if (state.Status is not (RemoteKeyStatus.Removed or RemoteKeyStatus.Present))
        {
            return; // nothing the tier vouches for: the local copy may exist nowhere else
        }

        KeyLocation at = _stores.Persistent.Locate(key.ResultType, key.Key);
        foreach (SegmentKind kind in SegmentStore.AllKinds)
        {
            _publisher.RemoveIf(at.PathFor(kind), record =>
                record.Policy == RetentionPolicy.Persistent && record.Key == key.Key && record.ResultType == key.ResultType
                && (state.Status == RemoteKeyStatus.Removed || record.WriteStamp != state.Stamp)
                && !_remote!.Pending.HasUpload(key));
        }
    }

    /// <summary>The keys of this directory's PERSISTENT segments of <paramref name="resultType"/> (all when null), read from their records.</summary>
    private List<EntryKey> StoredPersistentKeys(string? resultType)
    {
        var keys = new List<EntryKey>();
        foreach (FileInfo file in _stores.Persistent.EnumerateSegments(resultType))
        {
            try
            {
                using OpenedSegment? opened = SegmentReader.TryOpen(file.FullName);
                if (opened?.Record is { Policy: RetentionPolicy.Persistent } record)
                {
                    keys.Add(new EntryKey(record.ResultType, record.Key));
                }
            }
            catch (Exception ex) when (ex is CorruptSegmentException or IOException or UnauthorizedAccessException)
            {
                // Gone or damaged: a get deals with it.
            }
        }

        return keys;
    }

    /// <summary>
    /// Sends the changes this node journalled that the tier has not taken, oldest first: those that
    /// failed, and those of sessions that died between their local and their remote step. A live
    /// session's change in progress is left to it.
    /// </summary>
    /// <returns>False when the tier failed again (the rest stays journalled).</returns>
    private bool ReplayPending(IRemoteTier remote)
    {
        foreach (PendingRemoteChanges.Change change in _remote!.Pending.ReadAll())
        {
            if (!change.Failed && (change.Session == SessionId || Sessions.SessionReclaimer.IsAlive(SessionsDirectory, change.Session)))
            {
                continue; // still being sent by the session that made it
            }

            var key = new EntryKey(change.ResultType ?? "*", change.Key ?? "*");
            try
            {
                switch (change.Operation)
                {
                    case PendingRemoteChanges.Upload:
                        ReplayUpload(remote, key);
                        break;
                    case PendingRemoteChanges.Remove:
                        remote.Remove(key.ResultType, key.Key);
                        break;
                    default:
                        remote.Clear(change.ResultType);
                        break;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RemoteFailed("replay of a journalled " + change.Operation, key, ex);
                return false;
            }

            _remote.Pending.Done(change);
        }

        return true;
    }

    /// <summary>Uploads the node's copy of the key, whichever write it now holds; nothing when it has none (a later removal went first).</summary>
    private void ReplayUpload(IRemoteTier remote, EntryKey key)
    {
        KeyLocation at = _stores.Persistent.Locate(key.ResultType, key.Key);
        foreach (SegmentKind kind in SegmentStore.AllKinds)
        {
            using OpenedSegment? opened = SegmentReader.TryOpen(at.PathFor(kind));
            if (opened is null || opened.Record.Policy != RetentionPolicy.Persistent || opened.Record.Key != key.Key || opened.Record.ResultType != key.ResultType)
            {
                continue;
            }

            SendCopy(remote, key, opened.File, opened.Path, opened.Length, opened.Record, opened.Identity);
            return;
        }
    }
}
