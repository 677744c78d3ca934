using System.Diagnostics;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>Puts: the payload is written to a temporary file outside every lock; publication and admission follow, once per key at a time.</summary>
internal sealed partial class CacheSession
{
    /// <summary>Describes the segment a put will write; null for TRANSIENT (unless <paramref name="evenIfTransient"/>).</summary>
    public SegmentDraft? Draft(EntryKey key, SegmentKind kind, IReadOnlyList<ArrayDraft> arrays, string metadataJson, bool evenIfTransient = false)
    {
        ThrowIfDisposed();
        RetentionPolicy policy = _settings.PolicyOf(key.ResultType);
        if (policy == RetentionPolicy.Transient && !evenIfTransient)
        {
            return null;
        }

        return new SegmentDraft
        {
            Kind = kind,
            Key = key.Key,
            ResultType = key.ResultType,
            Policy = policy,
            CreatedUnixMilliseconds = _settings.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            SessionId = SessionId,
            MetadataJson = metadataJson,
            Arrays = arrays,
        };
    }

    /// <summary>Stores a single array read from <paramref name="source"/> (compressed at rest where configured).</summary>
    public void PutArray(SegmentDraft draft, ByteSource source)
    {
        long started = Stopwatch.GetTimestamp();
        if (_settings.ShouldCompress(draft.ResultType, draft.Policy))
        {
            PutCompressed(draft, source, takeLease: false, out EntryState compressed)?.Dispose();
            CacheMetrics.Written(draft.ResultType, (long)compressed.Identity.Size, started, create: false);
            return;
        }

        using SegmentWriter writer = BeginWrite(draft);
        if (draft.Policy == RetentionPolicy.Persistent && Remote is { } remote)
        {
            WriteWhileUploading(writer, source, remote);
        }
        else
        {
            writer.Append(source);
            Publish(writer, takeLease: false);
        }

        CacheMetrics.Written(draft.ResultType, writer.FileLength, started, create: false);
    }

    /// <summary>Stores the named arrays of a bundle, read in order from <paramref name="sources"/>.</summary>
    public void PutBundle(SegmentDraft draft, IReadOnlyList<Action<SegmentWriter>> sources)
    {
        long started = Stopwatch.GetTimestamp();
        using SegmentWriter writer = BeginWrite(draft);
        foreach (Action<SegmentWriter> append in sources)
        {
            append(writer);
        }

        (EntryState state, _) = Publish(writer, takeLease: false);
        UploadIfPersistent(writer, state);
        CacheMetrics.Written(draft.ResultType, writer.FileLength, started, create: false);
    }

    /// <summary>After a publication (outside the key's single flight): a PERSISTENT segment goes to the remote tier too.</summary>
    public void UploadIfPersistent(SegmentWriter published, EntryState state)
    {
        if (published.Draft.Policy == RetentionPolicy.Persistent && published.File.IsPublished)
        {
            Upload(published.File, published.FileLength, published.Record!, state);
        }
    }

    /// <summary>Records a use of the key in the directory's last-use table (a publication is one): the disk budget's order.</summary>
    private void StampUse(KeyLocation at) => _lastUse.Stamp(at.LastUseSlot, _settings.UnixMillisecondsNow());

    /// <summary>Opens the temporary file for <paramref name="draft"/> in its store; its directory is journaled first.</summary>
    public SegmentWriter BeginWrite(SegmentDraft draft)
    {
        SegmentStore store = _stores.For(draft.Policy);
        string directory = store.EnsureTypeDirectory(draft.ResultType);
        _session.NoteTempDirectory(store.Tag, Path.GetFileName(directory));
        KeyLocation at = store.Locate(draft.ResultType, draft.Key);
        return SegmentWriter.Create(directory, draft, bytes => _budget.MakeRoom(bytes, at));
    }

    /// <summary>
    /// Seals and publishes a written segment and admits it: a CACHED segment is held by this session
    /// (its file unlinked when it leaves, if still its own); with <paramref name="takeLease"/>, the
    /// lease maps the very bytes published, through the writer's own descriptor.
    /// </summary>
    public (EntryState State, MappingLease? Lease) Publish(SegmentWriter writer, bool takeLease)
    {
        SegmentRecord record = writer.Seal();
        SegmentDraft draft = writer.Draft;
        var key = new EntryKey(draft.ResultType, draft.Key);
        KeyLocation at = Locate(key, draft.Policy);
        using KeyedGate<EntryKey>.Holder flight = _flights.Enter(key);
        ThrowIfDisposed();
        if (draft.Policy == RetentionPolicy.Cached)
        {
            // Journaled before it exists, so a crash after the rename still leaves it listed.
            SegmentStore store = _stores.For(draft.Policy);
            _session.NoteCachedSegment(store.Tag, Path.GetFileName(at.TypeDirectory), Path.GetFileName(at.PathFor(draft.Kind)));
        }

        PendingRemoteChanges.Change? intent = JournalUpload(key, draft.Policy);
        SegmentPublisher.Published published = _publisher.Publish(writer.File, at, draft.Kind);
        StampUse(at);
        var state = new EntryState(key, at, published.Path, published.Identity, record, ownedCached: draft.Policy == RetentionPolicy.Cached)
        {
            SeenGeneration = published.Generation,
            RemoteIntent = intent,
        };
        if (!takeLease && draft.Policy != RetentionPolicy.Cached)
        {
            _entries.Forget(key); // a PERSISTENT put is mapped by the first get, like any other session's
            return (state, null);
        }

        SegmentMapping? mapping = takeLease ? SegmentMapping.MapPrivate(writer.File.Handle, writer.FileLength, published.Path, _settings.Config.Prefault) : null;
        try
        {
            return (state, _entries.Admit(state, mapping, takeLease));
        }
        catch (ObjectDisposedException) when (state.OwnedCached)
        {
            // The session ended between the check above and the admission, and its journal went
            // with it: nobody would ever reclaim this CACHED file, so it goes now.
            _publisher.RemoveIfSame(state.Path, state.Identity);
            throw;
        }
    }

    /// <summary>
    /// Compresses the array from <paramref name="source"/>, publishes the .zseg file and admits a
    /// raw copy of the array for this session, so its own gets never decompress. The copy is
    /// published as the node's raw copy of the new file, so no process of this node decompresses it.
    /// </summary>
    public MappingLease? PutCompressed(SegmentDraft draft, ByteSource source, bool takeLease) =>
        PutCompressed(draft, source, takeLease, out _);

    /// <inheritdoc cref="PutCompressed(SegmentDraft, ByteSource, bool)"/>
    public MappingLease? PutCompressed(SegmentDraft draft, ByteSource source, bool takeLease, out EntryState state)
    {
        var key = new EntryKey(draft.ResultType, draft.Key);
        KeyLocation at = Locate(key, RetentionPolicy.Persistent);
        string directory = _stores.Persistent.EnsureTypeDirectory(draft.ResultType);
        _session.NoteTempDirectory(_stores.Persistent.Tag, Path.GetFileName(directory));
        using var writer = CompressedSegmentWriter.Create(directory, draft with { Kind = SegmentKind.Compressed });
        writer.Compress(source);
        SegmentRecord record = writer.Seal();

        // The copy names the compressed file by its inode, which the rename below keeps.
        using SegmentWriter raw = _rawCopies.WriteForPut(record, FileIdentity.Of(writer.File.Handle, writer.File.Path), source);
        RawCopy? copy = null;
        bool admitted = false;
        MappingLease? lease;
        try
        {
            using (_flights.Enter(key))
            {
                ThrowIfDisposed();
                PendingRemoteChanges.Change? intent = JournalUpload(key, RetentionPolicy.Persistent);
                SegmentPublisher.Published published = _publisher.Publish(writer.File, at, SegmentKind.Compressed);
                StampUse(at);
                copy = _rawCopies.Share(raw, published.Path, published.Identity, record);
                state = new EntryState(key, at, published.Path, published.Identity, record, ownedCached: false, copy.Layout)
                {
                    SeenGeneration = published.Generation,
                    RemoteIntent = intent,
                };
                admitted = true; // from here the table owns the copy's mapping (Admit releases it if the session ended)
                lease = _entries.Admit(state, copy.Mapping, takeLease);
            }
        }
        finally
        {
            if (!admitted)
            {
                copy?.Mapping.Dispose();
            }
        }

        Upload(writer.File, writer.FileLength, record, state);
        return lease;
    }
}
