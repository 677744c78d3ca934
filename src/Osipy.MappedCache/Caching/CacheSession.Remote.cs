using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// The remote tier (<see cref="CacheConfig.Remote"/>): PERSISTENT publications are uploaded, and a
/// local miss of a PERSISTENT entry is filled by a download. Remote trouble never breaks local work:
/// every failure is logged, counted and answered locally, a change that could not reach the tier
/// is journalled (<see cref="PendingRemoteChanges"/>) and sent when it is back, and after a failure
/// the tier is skipped for a back-off (<see cref="RemoteHealth"/>).
/// </summary>
internal sealed partial class CacheSession
{
    private IRemoteTier? Remote => _settings.Config.Remote;

    /// <summary>Whether to call the tier now: there is one, and it is not backing off after a failure.</summary>
    private IRemoteTier? ReachableRemote => Remote is { } remote && _remote!.Health.ShouldTry ? remote : null;

    /// <summary>
    /// Journals the upload of a PERSISTENT key's copy just before it is published locally (as the
    /// session journals a CACHED segment before it exists), so a process killed between the local
    /// publication and the remote commit leaves the upload for a later check to send; null without a tier.
    /// </summary>
    private PendingRemoteChanges.Change? JournalUpload(EntryKey key, RetentionPolicy policy) =>
        policy == RetentionPolicy.Persistent && _remote is not null ? _remote.Pending.Record(key, PendingRemoteChanges.Upload, SessionId, failed: false) : null;

    /// <summary>Uploads a segment just published under a PERSISTENT key, from a private mapping of its own descriptor.</summary>
    private void Upload(TempSegment published, long length, SegmentRecord record, EntryState state)
    {
        if (Remote is null || state.RemoteIntent is not { } intent)
        {
            return;
        }

        if (ReachableRemote is not { } remote)
        {
            _remote!.Pending.Fail(intent);
            return;
        }

        try
        {
            CacheMetrics.RemoteCall(state.Key.ResultType);
            SendCopy(remote, state.Key, published.Handle, published.Path, length, record, state.Identity);
            RemoteSucceeded(intent);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("upload", state.Key, ex);
            _remote!.Pending.Fail(intent);
        }
    }

    /// <summary>
    /// A PERSISTENT put of one array with a remote tier: the upload reads each chunk of the file as
    /// soon as the local write has passed it, and commits after the local publication, so the put
    /// costs about the longer of the two instead of their sum. Remote failures are counted and the
    /// upload left journalled for a later check; the local put stands.
    /// </summary>
    private void WriteWhileUploading(SegmentWriter writer, ByteSource source, IRemoteTier remote)
    {
        var key = new EntryKey(writer.Draft.ResultType, writer.Draft.Key);
        UploadWhileWriting? upload = null;
        if (_remote!.Health.ShouldTry)
        {
            try
            {
                CacheMetrics.RemoteCall(key.ResultType);
                upload = UploadWhileWriting.Start(remote, key, writer);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RemoteFailed("upload", key, ex); // the local put goes on without it
            }
        }

        using (upload)
        {
            writer.Progress = upload is null ? null : upload.Advance;
            writer.Append(source);
            (EntryState state, _) = Publish(writer, takeLease: false);
            PendingRemoteChanges.Change intent = state.RemoteIntent!;
            if (upload is null)
            {
                _remote.Pending.Fail(intent);
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
                    LostUpload(remote, key, writer.Record!.WriteStamp, state.Path, state.Identity);
                }

                RemoteSucceeded(intent);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                RemoteFailed("upload", key, ex);
                _remote.Pending.Fail(intent);
            }
        }
    }

    /// <summary>
    /// Uploads a published PERSISTENT file of <paramref name="key"/> (the write its <paramref name="record"/> names, with its tags)
    /// from a private mapping of its descriptor; a put's upload and a check's replay of a journalled one.
    /// </summary>
    private void SendCopy(IRemoteTier remote, EntryKey key, Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, long length, SegmentRecord record, FileIdentity identity)
    {
        string stamp = record.WriteStamp;
        using SegmentMapping mapping = SegmentMapping.MapPrivate(file, length, path);
        using var lease = new MappingLease(mapping);
        if (remote.Upload(key.ResultType, key.Key, new MappedSegmentSource(lease, length, stamp, EntryTags.Of(record.MetadataJson))))
        {
            CacheMetrics.RemoteBytes(key.ResultType, length, upload: true);
        }
        else
        {
            LostUpload(remote, key, stamp, path, identity);
        }
    }

    /// <summary>
    /// Another upload of the key committed first (first writer wins): unless it was this very write
    /// (sent meanwhile by a check replaying the journal), this node's copy is not the cluster's
    /// entry, so it goes (if still the file that was sent), and the next get on this node maps the
    /// winner's. Leases already taken keep their snapshot.
    /// </summary>
    private void LostUpload(IRemoteTier remote, EntryKey key, string stamp, string path, FileIdentity identity)
    {
        if (remote.Find(key.ResultType, key.Key)?.Stamp == stamp)
        {
            return;
        }

        Interlocked.Increment(ref _counters.RemoteConflicts);
        Log.RemoteUploadLost(_settings.Logger, key.Key, key.ResultType);
        _publisher.RemoveIfSame(path, identity);
    }

    /// <summary>Journals a removal of a key (or a type, or everything) before it is made locally; null without a tier.</summary>
    private PendingRemoteChanges.Change? JournalRemoval(EntryKey? key, string? resultType)
    {
        if (_remote is null)
        {
            return null;
        }

        return key is { } one
            ? _remote.Pending.Record(one, PendingRemoteChanges.Remove, SessionId, failed: false)
            : _remote.Pending.RecordClear(resultType, SessionId, failed: false);
    }

    /// <summary>Removes a key (or a type, or everything) from the remote tier too; a failure is counted and the removal left journalled for a later check.</summary>
    private void RemoveRemote(PendingRemoteChanges.Change? intent, EntryKey? key, string? resultType)
    {
        if (intent is null)
        {
            return;
        }

        if (ReachableRemote is not { } remote)
        {
            _remote!.Pending.Fail(intent);
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

            RemoteSucceeded(intent);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed(key is null ? "clear" : "remove", key ?? new EntryKey(resultType ?? "*", "*"), ex);
            _remote!.Pending.Fail(intent);
        }
    }

    /// <summary>
    /// Fills a local miss of a PERSISTENT key from the remote tier: checks the entry's age and
    /// claimed size before anything else, downloads the file into a sparse temporary segment (the
    /// tier checks every chunk), validates it like any file from disk (record, layout, first page,
    /// the key it names; the payload checksums too with <see cref="CacheConfig.VerifyOnFirstMap"/>)
    /// and publishes it locally. The caller holds the key's single flight.
    /// </summary>
    /// <returns>Whether the key now has a local segment.</returns>
    private bool FetchRemote(EntryKey key, KeyLocation at)
    {
        if (ReachableRemote is not { } remote)
        {
            return false;
        }

        RemoteEntry? entry = null;
        try
        {
            CacheMetrics.RemoteCall(key.ResultType);
            entry = remote.Find(key.ResultType, key.Key);

            RemoteAnswered();
            if (entry is null)
            {
                return false;
            }

            if (_settings.MaxAgeSeconds > 0 && _settings.Time.GetUtcNow() - entry.CommittedAt > TimeSpan.FromSeconds(_settings.MaxAgeSeconds))
            {
                // Expired by the age rule: not downloaded only to be thrown away.
                Interlocked.Increment(ref _counters.Expirations);
                return false;
            }

            string directory = _stores.Persistent.EnsureTypeDirectory(key.ResultType);
            if (entry.Length is < SegmentLimits.PageSize or > SegmentLimits.MaxRemoteSegmentBytes || entry.Length > FreeBytes(directory))
            {
                return Unusable(remote, entry, $"it claims {entry.Length} bytes, more than the limit or the free space");
            }

            _session.NoteTempDirectory(_stores.Persistent.Tag, Path.GetFileName(directory));

            // Sparse: nothing is reserved for a claim; blocks are allocated only as checked chunks arrive.
            using TempSegment temp = TempSegment.Create(directory, SessionId, reserveBytes: 0);
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
                    return Unusable(remote, entry, "its record names another entry or policy");
                }

                // Every chunk was checked against the manifest as it arrived, and the file passed the
                // checks every file from disk passes; the payload's own checksums are read again only
                // where the configuration asks it of every first map.
                if (_settings.Config.VerifyOnFirstMap && PayloadProblem(opened) is { } problem)
                {
                    return Unusable(remote, entry, problem);
                }

                kind = opened.Record.Kind;
            }

            SegmentPublisher.Published local = _publisher.Publish(temp, at, kind);
            StampUse(at);
            if (remote.Find(key.ResultType, key.Key)?.Version != entry.Version)
            {
                // Replaced or removed remotely while this copy was downloading, and the change may
                // have been applied here before the copy existed: drop the copy, the next get fetches anew.
                _publisher.RemoveIfSame(local.Path, local.Identity);
                Interlocked.Increment(ref _counters.RemoteMisses);
                return false;
            }

            Interlocked.Increment(ref _counters.RemoteHits);
            CacheMetrics.RemoteBytes(key.ResultType, entry.Length, upload: false);
            return true;
        }
        catch (CorruptSegmentException ex) when (entry is not null)
        {
            return Unusable(remote, entry, ex.Reason);
        }
        catch (InvalidDataException)
        {
            return Rejected(key);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("fetch", key, ex);
            return false;
        }
    }

    /// <summary>A remote record that does not parse or authenticate (a forgery, with a shared secret): a counted corrupt miss, never data.</summary>
    private bool Rejected(EntryKey key)
    {
        Interlocked.Increment(ref _counters.CorruptSegments);
        Interlocked.Increment(ref _counters.RemoteMisses);
        Log.RemoteRecordRejected(_settings.Logger, key.Key, key.ResultType);
        return false;
    }

    private static long FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return long.MaxValue; // unknown: the download's own writes still fail on a full disk
        }
    }

    /// <summary>
    /// A remote copy that failed validation: a counted miss, and discarded remotely so the next put
    /// heals it (not removed: other nodes' good copies of it stay).
    /// </summary>
    private bool Unusable(IRemoteTier remote, RemoteEntry entry, string reason)
    {
        var key = new EntryKey(entry.ResultType, entry.Key);
        Interlocked.Increment(ref _counters.RemoteMisses);
        Log.RemoteUnusable(_settings.Logger, key.Key, key.ResultType, reason);
        try
        {
            remote.Discard(entry);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RemoteFailed("remove", key, ex);
        }

        return false;
    }

    /// <summary>The tier took a journalled change: it is forgotten, and an outage may have ended.</summary>
    private void RemoteSucceeded(PendingRemoteChanges.Change intent)
    {
        _remote!.Pending.Done(intent);
        RemoteAnswered();
    }

    /// <summary>The tier answered: if that ended an outage, a check sends what was journalled meanwhile.</summary>
    private void RemoteAnswered()
    {
        if (_remote!.Health.Succeeded())
        {
            _remote.Wake();
        }
    }

    private void RemoteFailed(string operation, EntryKey key, Exception ex)
    {
        Interlocked.Increment(ref _counters.RemoteErrors);
        CacheMetrics.RemoteError(key.ResultType);
        Log.RemoteFailed(_settings.Logger, operation, key.Key, key.ResultType, ex.Message);
        _remote?.Health.Failed(operation, ex);
    }
}
