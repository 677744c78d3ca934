using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The remote tier (<see cref="CacheConfig.Remote"/>): PERSISTENT publications are uploaded, and a
/// local miss of a PERSISTENT entry is filled by a download. Remote trouble never breaks local work:
/// every failure is logged, counted and answered locally.
/// </summary>
internal sealed partial class CacheSession
{
    private IRemoteTier? Remote => _settings.Config.Remote;

    /// <summary>Listens for other nodes' changes, if there is a remote tier; a failure to subscribe is counted and the session works without.</summary>
    private IDisposable? SubscribeToRemoteChanges()
    {
        try
        {
            return Remote?.Subscribe(OnRemoteChange);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("subscribe", new EntryKey("*", "*"), ex);
            return null;
        }
    }

    /// <summary>Uploads a segment just published under a PERSISTENT key, from a private mapping of its own descriptor.</summary>
    private void Upload(TempSegment published, long length, SegmentRecord record, EntryState state)
    {
        if (Remote is not { } remote)
        {
            return;
        }

        try
        {
            using SegmentMapping mapping = SegmentMapping.MapPrivate(published.Handle, length, published.Path);
            using var lease = new MappingLease(mapping);
            CacheMetrics.RemoteCall(state.Key.ResultType);
            if (remote.Upload(state.Key.ResultType, state.Key.Key, new MappedSegmentSource(lease, length, record.WriteStamp)))
            {
                CacheMetrics.RemoteBytes(state.Key.ResultType, length, upload: true);
            }
            else
            {
                LostUpload(state);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("upload", state.Key, ex);
        }
    }

    /// <summary>
    /// A PERSISTENT put of one array with a remote tier: the upload reads each chunk of the file as
    /// soon as the local write has passed it, and commits after the local publication, so the put
    /// costs about the longer of the two instead of their sum. Remote failures are counted; the
    /// local put stands.
    /// </summary>
    private void WriteWhileUploading(SegmentWriter writer, ByteSource source, IRemoteTier remote)
    {
        var key = new EntryKey(writer.Draft.ResultType, writer.Draft.Key);
        UploadWhileWriting? upload = null;
        try
        {
            CacheMetrics.RemoteCall(key.ResultType);
            upload = UploadWhileWriting.Start(remote, key, writer);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("upload", key, ex); // the local put goes on without it
        }

        using (upload)
        {
            writer.Progress = upload is null ? null : upload.Advance;
            writer.Append(source);
            (EntryState state, _) = Publish(writer, takeLease: false);
            if (upload is null)
            {
                return;
            }

            upload.Complete(writer.Record!.WriteStamp);
            try
            {
                if (upload.Finish())
                {
                    CacheMetrics.RemoteBytes(key.ResultType, writer.FileLength, upload: true);
                }
                else
                {
                    LostUpload(state);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RemoteFailed("upload", key, ex);
            }
        }
    }

    /// <summary>
    /// Another upload of the key committed first (first writer wins): this node's copy is not the
    /// cluster's entry, so it goes (if still the file this put published), and the next get on
    /// this node maps the winner's. Leases already taken keep their snapshot.
    /// </summary>
    private void LostUpload(EntryState published)
    {
        Interlocked.Increment(ref _counters.RemoteConflicts);
        Log.RemoteUploadLost(_settings.Logger, published.Key.Key, published.Key.ResultType);
        _publisher.RemoveIfSame(published.Path, published.Identity);
    }

    /// <summary>Removes a key (or a type, or everything) from the remote tier too; failures are logged and counted.</summary>
    private void RemoveRemote(EntryKey? key, string? resultType)
    {
        if (Remote is not { } remote)
        {
            return;
        }

        try
        {
            if (key is { } one)
            {
                remote.Remove(one.ResultType, one.Key);
            }
            else
            {
                remote.Clear(resultType);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed(key is null ? "clear" : "remove", key ?? new EntryKey(resultType ?? "*", "*"), ex);
        }
    }

    /// <summary>
    /// Fills a local miss of a PERSISTENT key from the remote tier: downloads the file into a
    /// temporary segment (the tier checks every chunk's checksum), validates it like any file from
    /// disk (record, layout, first page, the key it names; the payload checksums too with
    /// <see cref="CacheConfig.VerifyOnFirstMap"/>) and publishes it locally. The caller holds the key's single flight.
    /// </summary>
    /// <returns>Whether the key now has a local segment.</returns>
    private bool FetchRemote(EntryKey key, KeyLocation at)
    {
        if (Remote is not { } remote)
        {
            return false;
        }

        try
        {
            CacheMetrics.RemoteCall(key.ResultType);
            if (remote.Find(key.ResultType, key.Key) is not { } entry)
            {
                return false;
            }

            if (entry.Length is < SegmentLimits.PageSize or > SegmentLimits.MaxRemoteSegmentBytes)
            {
                return Unusable(remote, key, $"it claims {entry.Length} bytes");
            }

            string directory = _stores.Persistent.EnsureTypeDirectory(key.ResultType);
            _session.NoteTempDirectory(_stores.Persistent.Tag, Path.GetFileName(directory));
            using TempSegment temp = TempSegment.Create(directory, SessionId, entry.Length);
            temp.SetLength(entry.Length);
            if (!remote.Download(entry, new TempSegmentTarget(temp, entry.Length)))
            {
                Interlocked.Increment(ref _counters.RemoteMisses);
                return false;
            }

            SegmentKind kind;
            using (OpenedSegment? opened = SegmentReader.TryOpen(temp.Path))
            {
                if (opened is null || opened.Record.Key != key.Key || opened.Record.ResultType != key.ResultType || opened.Record.Policy != RetentionPolicy.Persistent)
                {
                    return Unusable(remote, key, "its record names another entry or policy");
                }

                // Every chunk was checked against the manifest as it arrived, and the file passed the
                // checks every file from disk passes; the payload's own checksums are read again only
                // where the configuration asks it of every first map.
                if (_settings.Config.VerifyOnFirstMap && PayloadProblem(opened) is { } problem)
                {
                    return Unusable(remote, key, problem);
                }

                kind = opened.Record.Kind;
            }

            SegmentPublisher.Published local = _publisher.Publish(temp, at, kind);
            if (remote.Find(key.ResultType, key.Key)?.Version != entry.Version)
            {
                // Replaced or removed remotely while this copy was downloading, and its notice may
                // have come before the copy existed here: drop the copy, the next get fetches anew.
                _publisher.RemoveIfSame(local.Path, local.Identity);
                Interlocked.Increment(ref _counters.RemoteMisses);
                return false;
            }

            Interlocked.Increment(ref _counters.RemoteHits);
            CacheMetrics.RemoteBytes(key.ResultType, entry.Length, upload: false);
            return true;
        }
        catch (CorruptSegmentException ex)
        {
            return Unusable(remote, key, ex.Reason);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("fetch", key, ex);
            return false;
        }
    }

    /// <summary>A remote copy that failed validation: a counted miss, and removed remotely so the next put heals it.</summary>
    private bool Unusable(IRemoteTier remote, EntryKey key, string reason)
    {
        Interlocked.Increment(ref _counters.RemoteMisses);
        Log.RemoteUnusable(_settings.Logger, key.Key, key.ResultType, reason);
        try
        {
            remote.Remove(key.ResultType, key.Key);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("remove", key, ex);
        }

        return false;
    }

    /// <summary>
    /// Another node (or this one) changed an entry remotely: local PERSISTENT copies that are not the
    /// change's own write are removed (under their key locks, bumping the generations), so every
    /// session of this node sees the change on its next get. Runs on the tier's thread; never throws.
    /// </summary>
    private void OnRemoteChange(RemoteChange change)
    {
        try
        {
            if (change.ResultType is null || change.Key is null)
            {
                foreach (FileInfo file in _stores.Persistent.EnumerateSegments(change.ResultType))
                {
                    _publisher.RemoveIf(file.FullName, record => record.Policy == RetentionPolicy.Persistent);
                }

                return;
            }

            KeyLocation at = _stores.Persistent.Locate(change.ResultType, change.Key);
            foreach (SegmentKind kind in SegmentStore.AllKinds)
            {
                // A replacement keeps the copy of that very write (this node's own upload, or a fetch of it).
                _publisher.RemoveIf(at.PathFor(kind), record =>
                    record.Policy == RetentionPolicy.Persistent && record.Key == change.Key && record.ResultType == change.ResultType
                    && (change.Stamp is null || record.WriteStamp != change.Stamp));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("change notification", new EntryKey(change.ResultType ?? "*", change.Key ?? "*"), ex);
        }
    }

    private void RemoteFailed(string operation, EntryKey key, Exception ex)
    {
        Interlocked.Increment(ref _counters.RemoteErrors);
        CacheMetrics.RemoteError(key.ResultType);
        Log.RemoteFailed(_settings.Logger, operation, key.Key, key.ResultType, ex.Message);
    }
}
