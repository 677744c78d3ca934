using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Caching;

/// <summary>A segment read from disk for a key: which file, its record and, if asked, its mapping.</summary>
internal sealed record LoadedSegment(string Path, FileIdentity Identity, SegmentRecord Record, SegmentMapping? Mapping, IReadOnlyList<ArrayRecord> Layout, long Generation);

/// <summary>
/// The slow work of a miss, done outside the cache's lock: open and validate a key's segment,
/// drop it if expired, quarantine it if corrupt, map it (a compressed one through the node's raw
/// copy, decompressing it if the node has none) and verify it if configured. Decides nothing about the table.
/// </summary>
/// <remarks>Thread-safe; the caller holds the key's single flight so one key is loaded once.</remarks>
internal sealed class SegmentLoader(CacheSettings settings, StoreSet stores, SegmentPublisher publisher, RawCopies rawCopies, CacheCounters counters, EntryCache entries)
{
    /// <summary>
    /// The key's segment on disk, trying <paramref name="preferred"/> first, mapped if
    /// <paramref name="map"/>; null on a miss (absent, expired, corrupt or of a newer version).
    /// </summary>
    /// <exception cref="IOException">A file exists but cannot be opened or mapped.</exception>
    public LoadedSegment? Load(EntryKey key, KeyLocation at, SegmentKind preferred, bool map)
    {
        // Read before opening: a change after this read moves the counter past it, so the entry is re-checked.
        long generation = publisher.Generations.Read(at.Bucket);
        if (TryLoad(key, at, preferred, map, generation) is { } loaded)
        {
            return loaded;
        }

        foreach (SegmentKind kind in SegmentStore.AllKinds)
        {
            if (kind != preferred && TryLoad(key, at, kind, map, generation) is { } other)
            {
                return other;
            }
        }

        return null;
    }

    /// <summary>Opens and validates a segment file whose record must name <paramref name="expected"/>; quarantines a bad one.</summary>
    public OpenedSegment? OpenValidated(string path, EntryKey expected)
    {
        OpenedSegment? opened = null;
        try
        {
            opened = SegmentReader.TryOpen(path);
            if (opened is not null && (opened.Record.Key != expected.Key || opened.Record.ResultType != expected.ResultType))
            {
                throw new CorruptSegmentException(path, "its record names another key or result type") { Identity = opened.Identity };
            }

            return opened;
        }
        catch (CorruptSegmentException ex) when (ex.FromNewerVersion)
        {
            opened?.Dispose();
            Log.NewerSegmentSkipped(settings.Logger, path, ex.Reason);
            return null;
        }
        catch (CorruptSegmentException ex)
        {
            opened?.Dispose();
            SetAside(path, ex.Identity, ex.Reason);
            return null;
        }
    }

    /// <summary>Quarantines a corrupt file (if the path still names it), counts and logs it.</summary>
    public void SetAside(string path, FileIdentity? identity, string reason)
    {
        Interlocked.Increment(ref counters.CorruptSegments);
        CacheMetrics.Corrupt();
        Quarantine quarantine = stores.QuarantineFor(path);
        string? movedTo = publisher.Quarantine(path, identity, quarantine);
        if (movedTo is not null)
        {
            CacheMetrics.Quarantined();
        }

        Log.SegmentQuarantined(settings.Logger, path, reason, movedTo);
    }

    /// <summary>
    /// Maps a validated segment for a check of its payload: a compressed one is decompressed afresh
    /// into a private copy, so the check is of the compressed file, never of the node's raw copy.
    /// </summary>
    /// <exception cref="CorruptSegmentException">A compressed segment's chunks are damaged.</exception>
    public (SegmentMapping Mapping, IReadOnlyList<ArrayRecord> Layout) MapForCheck(OpenedSegment opened)
    {
        if (opened.Record.Kind != SegmentKind.Compressed)
        {
            return (SegmentMapping.MapPrivate(opened.File, opened.Length, opened.Path), opened.Record.Arrays);
        }

        RawCopy copy = rawCopies.Private(opened, prefault: false);
        return (copy.Mapping, copy.Layout);
    }

    /// <summary>The index of the first array whose bytes in <paramref name="mapping"/> do not match its checksum; null if all do.</summary>
    public static int? FirstBadArray(SegmentMapping mapping, SegmentRecord record, IReadOnlyList<ArrayRecord> layout)
    {
        using var lease = new MappingLease(mapping);
        for (int i = 0; i < layout.Count; i++)
        {
            if (lease.Checksum(layout[i].PayloadOffset, layout[i].PayloadLength) != record.Arrays[i].PayloadChecksum)
            {
                return i;
            }
        }

        return null;
    }

    private LoadedSegment? TryLoad(EntryKey key, KeyLocation at, SegmentKind kind, bool map, long generation)
    {
        string path = at.PathFor(kind);
        using OpenedSegment? opened = OpenValidated(path, key);
        if (opened is null)
        {
            return null;
        }

        SegmentRecord record = opened.Record;
        if (entries.IsExpired(DateTimeOffset.FromUnixTimeMilliseconds(record.CreatedUnixMilliseconds)))
        {
            publisher.RemoveIfSame(path, opened.Identity);
            entries.CountExpired(CacheEntries.FromRecord(record));
            return null;
        }

        if (!map)
        {
            return new LoadedSegment(path, opened.Identity, record, null, record.Arrays, generation);
        }

        settings.BeforeMap?.Invoke(key.ResultType, key.Key);
        SegmentMapping mapping;
        IReadOnlyList<ArrayRecord> layout;
        bool verified;
        try
        {
            (mapping, layout, verified) = record.Kind == SegmentKind.Compressed
                ? MapRawCopy(opened)
                : (SegmentMapping.MapPrivate(opened.File, opened.Length, opened.Path, settings.Config.Prefault), record.Arrays, false);
        }
        catch (CorruptSegmentException ex)
        {
            SetAside(path, opened.Identity, ex.Reason);
            return null;
        }

        if (settings.Config.VerifyOnFirstMap && !verified && FirstBadArray(mapping, record, layout) is { } bad)
        {
            mapping.Dispose();
            SetAside(path, opened.Identity, $"payload checksum mismatch in array {bad}");
            return null;
        }

        return new LoadedSegment(path, opened.Identity, record, mapping, layout, generation);
    }

    /// <summary>
    /// The node's raw copy of a compressed segment, mapped. With VerifyOnFirstMap, a copy that was
    /// already on disk is checked here: one that fails the source's payload checksum says nothing
    /// about the source, so it is removed and the source decompressed afresh, whose bytes the
    /// caller then checks (<c>Verified</c> false).
    /// </summary>
    private (SegmentMapping Mapping, IReadOnlyList<ArrayRecord> Layout, bool Verified) MapRawCopy(OpenedSegment opened)
    {
        RawCopy copy = rawCopies.Map(opened, settings.Config.Prefault);
        if (!copy.Reused || !settings.Config.VerifyOnFirstMap)
        {
            return (copy.Mapping, copy.Layout, false);
        }

        if (FirstBadArray(copy.Mapping, opened.Record, copy.Layout) is not { } bad)
        {
            return (copy.Mapping, copy.Layout, true);
        }

        copy.Mapping.Dispose();
        rawCopies.Discard(copy, $"payload checksum mismatch in array {bad}");
        RawCopy fresh = rawCopies.Map(opened, settings.Config.Prefault, reuse: false);
        return (fresh.Mapping, fresh.Layout, false);
    }
}
