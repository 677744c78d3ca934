using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Compression;
using Osipy.MappedCache.Sessions;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// A raw copy mapped for a get or a put: the private mapping, where the array lies in it, and the
/// node-shared file it maps (null for a private, unlinked copy). <see cref="Reused"/> says the file
/// was already there: its payload was not written by this call.
/// </summary>
internal sealed record RawCopy(SegmentMapping Mapping, IReadOnlyList<ArrayRecord> Layout, string? SharedPath, FileIdentity? SharedIdentity, bool Reused);

/// <summary>
/// Raw copies of compressed entries (docs/DESIGN.md, "Compressed segments"). A compressed .zseg
/// file is never mapped: it is decompressed once per node into a raw copy in the CACHED directory
/// (<see cref="RawCopyFile"/>), published by rename, which every session and process of the node
/// then maps privately, like any segment. Decides when to reuse, rebuild or keep a copy private;
/// the file steps are <see cref="SegmentPublisher"/>'s and <see cref="SegmentWriter"/>'s.
/// </summary>
/// <remarks>
/// A copy is trusted only after it validates as a segment and its record names exactly the source
/// write at hand; anything else is removed and rebuilt. Building holds the key's raw-copy lock
/// (<see cref="KeyLocks.AcquireRawCopy"/>), so two processes missing a key at once decompress it
/// once, and never the cache's lock. Where nothing can be shared (the source was replaced since it
/// was opened, the lock or the rename fails) the copy is private and unlinked, as before sharing.
/// Thread-safe; the callers hold the key's single flight.
/// </remarks>
internal sealed class RawCopies(CacheSettings settings, SegmentStore cachedStore, KeyLocks locks, SegmentPublisher publisher, SessionFile session, string sessionId, DiskBudget budget)
{
    /// <summary>
    /// The node's raw copy of a validated compressed segment, mapped privately: the published copy
    /// if it is one of exactly this source, else (with <paramref name="reuse"/> false, always) a
    /// fresh decompression, published for the node.
    /// </summary>
    /// <exception cref="CorruptSegmentException">A chunk or the chunk table of the source is damaged.</exception>
    /// <exception cref="IOException">A file cannot be read, written or mapped.</exception>
    public RawCopy Map(OpenedSegment source, bool prefault, bool reuse = true)
    {
        KeyLocation at = KeyLocation.OfSegmentPath(source.Path);
        string rawPath = RawCopyFile.PathFor(cachedStore.Root, at);
        if (reuse && TryMapShared(rawPath, source, prefault, out _, out _) is { } published)
        {
            return published;
        }

        KeyLocks.HeldKey held;
        try
        {
            held = locks.AcquireRawCopy(at);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.RawCopyNotShared(settings.Logger, rawPath, ex.Message);
            return Private(source, prefault); // a read-only cache directory: nothing to share, the get still works
        }

        using (held)
        {
            Unusable? unusable = null;
            bool newer = false;
            if (reuse && TryMapShared(rawPath, source, prefault, out unusable, out newer) is { } meanwhile)
            {
                return meanwhile; // another session or process built it while this one waited
            }

            if (newer || FileIdentity.OfPath(source.Path) != source.Identity)
            {
                // A newer library's copy stays; a source replaced since it was opened gets no shared
                // copy of its old bytes. This get still reads the snapshot it opened.
                return Private(source, prefault);
            }

            if (unusable is { } bad)
            {
                if (bad.Damage is { } damage)
                {
                    Log.RawCopyUntrusted(settings.Logger, rawPath, damage);
                }

                publisher.RemoveRawCopy(rawPath, bad.Identity);
            }

            return Build(source, rawPath, prefault);
        }
    }

    /// <summary>A fresh, private copy that nothing else sees (unlinked at once): for verifying the compressed file itself.</summary>
    /// <exception cref="CorruptSegmentException">A chunk or the chunk table is damaged.</exception>
    public RawCopy Private(OpenedSegment source, bool prefault)
    {
        using SegmentWriter writer = Decompress(source);
        Log.Decompressed(settings.Logger, source.Record.Key, source.Record.ResultType, source.Record.PayloadBytes, writer.File.Path, false);
        return MapWritten(writer, shared: false, prefault);
    }

    /// <summary>Removes a published copy that failed a check after it was mapped (if the path still names it); the next get rebuilds it.</summary>
    public void Discard(RawCopy copy, string reason)
    {
        if (copy.SharedPath is { } path)
        {
            Log.RawCopyUntrusted(settings.Logger, path, reason);
            publisher.RemoveRawCopy(path, copy.SharedIdentity);
        }
    }

    /// <summary>
    /// The putting session's copy of the array it has just compressed (<paramref name="compressed"/>,
    /// in <paramref name="compressedFile"/>, not yet published): written from <paramref name="source"/>
    /// into a sealed temporary file of the CACHED directory, ready for <see cref="Share"/>.
    /// </summary>
    public SegmentWriter WriteForPut(SegmentRecord compressed, FileIdentity compressedFile, ByteSource source)
    {
        SegmentWriter writer = BeginWrite(RawCopyFile.Draft(compressed, compressedFile, sessionId));
        try
        {
            writer.Append(source);
            writer.Seal();
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Publishes a copy from <see cref="WriteForPut"/> as the node's copy of the compressed file the
    /// put has just published (<paramref name="sourceFile"/> at <paramref name="sourcePath"/>), so
    /// even the node's next process maps it without decompressing, and maps it through its own
    /// descriptor. It stays private if its bytes are not the ones compressed (the source changed
    /// between the two reads) or the source is already replaced.
    /// </summary>
    public RawCopy Share(SegmentWriter writer, string sourcePath, FileIdentity sourceFile, SegmentRecord compressed)
    {
        bool shared = false;
        if (writer.Record!.Arrays[0].PayloadChecksum == compressed.Arrays[0].PayloadChecksum)
        {
            string rawPath = RawCopyFile.PathFor(cachedStore.Root, KeyLocation.OfSegmentPath(sourcePath));
            shared = TryPublish(writer, rawPath, sourcePath, sourceFile);
        }

        return MapWritten(writer, shared, settings.Config.Prefault);
    }

    /// <summary>
    /// Maps the copy at <paramref name="rawPath"/> if it validates and copies exactly
    /// <paramref name="source"/>; otherwise null, with a copy that must not be trusted (damaged, or
    /// another write's) in <paramref name="unusable"/>, or <paramref name="newer"/> for a newer library's file.
    /// </summary>
    private RawCopy? TryMapShared(string rawPath, OpenedSegment source, bool prefault, out Unusable? unusable, out bool newer)
    {
        unusable = null;
        newer = false;
        OpenedSegment? raw;
        try
        {
            raw = SegmentReader.TryOpen(rawPath);
        }
        catch (CorruptSegmentException ex)
        {
            newer = ex.FromNewerVersion;
            if (!newer && (ex.Identity ?? FileIdentity.OfPath(rawPath)) is { } damaged)
            {
                unusable = new Unusable(damaged, ex.Reason);
            }

            return null;
        }

        if (raw is null)
        {
            return null;
        }

        using (raw)
        {
            if (!RawCopyFile.IsCopyOf(raw.Record, source.Record, source.Identity))
            {
                unusable = new Unusable(raw.Identity, Damage: null); // a copy of another write of the key
                return null;
            }

            SegmentMapping mapping = SegmentMapping.MapPrivate(raw.File, raw.Length, raw.Path, prefault);
            MarkInUse(mapping, raw.Path, raw.Identity);
            return new RawCopy(mapping, raw.Record.Arrays, raw.Path, raw.Identity, Reused: true);
        }
    }

    /// <summary>Decompresses <paramref name="source"/> and publishes the copy for the node (private if it cannot be).</summary>
    private RawCopy Build(OpenedSegment source, string rawPath, bool prefault)
    {
        using SegmentWriter writer = Decompress(source);
        bool shared = TryPublish(writer, rawPath, source.Path, source.Identity);
        Log.Decompressed(settings.Logger, source.Record.Key, source.Record.ResultType, source.Record.PayloadBytes, writer.File.Path, shared);
        return MapWritten(writer, shared, prefault);
    }

    private bool TryPublish(SegmentWriter writer, string rawPath, string sourcePath, FileIdentity sourceFile)
    {
        try
        {
            return publisher.PublishRawCopy(writer.File, rawPath, sourcePath, sourceFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.RawCopyNotShared(settings.Logger, rawPath, ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Decompresses the chunks in parallel into a sealed temporary raw segment with pwrite, in
    /// pieces that end on 2 MiB file offsets (no full-size buffer, no fault per page). The copy
    /// keeps the source's payload checksum, so VerifyOnFirstMap checks the decompressed bytes.
    /// </summary>
    private SegmentWriter Decompress(OpenedSegment source)
    {
        ArrayRecord compressed = source.Record.Arrays[0];
        ChunkEntry[] table = ChunkTable.Read(source.File, compressed, source.Path);
        SegmentWriter writer = BeginWrite(RawCopyFile.Draft(source.Record, source.Identity, sessionId));
        try
        {
            ChunkCodec.DecompressToFile(
                source.File, table, compressed.PayloadLength, DTypes.ItemSize(compressed.DType), writer.File.Handle, writer.PayloadOffset(0), SegmentLimits.WriteBlockBytes);
            settings.RawCopyDecompressed?.Invoke(writer.File.Path);
            writer.AdoptPayloadChecksums([compressed.PayloadChecksum]);
            writer.Seal();
            return writer;
        }
        catch (CorruptChunkException ex)
        {
            writer.Dispose();
            throw new CorruptSegmentException(source.Path, ex.Message) { Identity = source.Identity };
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>A temporary file in the CACHED directory, its directory journaled first (so a kill leaves it to reclaim).</summary>
    private SegmentWriter BeginWrite(SegmentDraft draft)
    {
        string directory = cachedStore.EnsureTypeDirectory(draft.ResultType);
        session.NoteTempDirectory(cachedStore.Tag, Path.GetFileName(directory));
        KeyLocation at = cachedStore.Locate(draft.ResultType, draft.Key);
        return SegmentWriter.Create(directory, draft, bytes => budget.MakeRoom(bytes, at));
    }

    /// <summary>Maps a sealed copy through its own descriptor (the bytes this call wrote, whatever is renamed over the name later); an unshared one is unlinked at once.</summary>
    private static RawCopy MapWritten(SegmentWriter writer, bool shared, bool prefault)
    {
        SegmentMapping mapping = SegmentMapping.MapPrivate(writer.File.Handle, writer.FileLength, writer.File.Path, prefault);
        try
        {
            if (!shared)
            {
                writer.File.Unlink(); // the mapping keeps the pages; nothing else ever sees them
                return new RawCopy(mapping, writer.Record!.Arrays, null, null, Reused: false);
            }

            FileIdentity identity = FileIdentity.Of(writer.File.Handle, writer.File.Path);
            MarkInUse(mapping, writer.File.Path, identity);
            return new RawCopy(mapping, writer.Record!.Arrays, writer.File.Path, identity, Reused: false);
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    /// <summary>Holds the published copy's in-use lock for as long as it is mapped here, so the raw copies' budget never removes it meanwhile.</summary>
    private static void MarkInUse(SegmentMapping mapping, string path, FileIdentity identity)
    {
        if (RawCopyUse.Hold(path, identity) is { } inUse)
        {
            mapping.KeepUntilUnmapped(inUse);
        }
    }

    /// <summary>A published copy not to be used: which file, and what is wrong with it (null for a sound copy of another write).</summary>
    private readonly record struct Unusable(FileIdentity Identity, string? Damage);
}
