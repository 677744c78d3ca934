using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;
using Osipy.MappedCache.Segments.Compression;
using Osipy.MappedCache.Sessions;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// Raw copies of compressed entries: a compressed .zseg file is never mapped; a session reads it
/// through an unlinked temporary file in the CACHED directory, mapped privately. Only this session
/// sees the copy, and it disappears with its last lease, even if the process is killed.
/// </summary>
/// <remarks>The putting session writes its copy while compressing; any other session decompresses once into its own. Thread-safe.</remarks>
internal sealed class RawCopies(SegmentStore cachedStore, SessionFile session, string sessionId, bool prefault)
{
    /// <summary>Decompresses a validated compressed segment into a raw copy, in parallel, with pwrite (no fault per page) in pieces that end on 2 MiB file offsets.</summary>
    /// <exception cref="CorruptSegmentException">A chunk or the chunk table is damaged.</exception>
    public (SegmentMapping Mapping, IReadOnlyList<ArrayRecord> Layout) Decompress(OpenedSegment opened)
    {
        ArrayRecord compressed = opened.Record.Arrays[0];
        ChunkEntry[] table = ChunkTable.Read(opened.File, compressed, opened.Path);
        var draft = new SegmentDraft
        {
            Kind = SegmentKind.SingleArray,
            Key = opened.Record.Key,
            ResultType = opened.Record.ResultType,
            Policy = RetentionPolicy.Cached,
            CreatedUnixMilliseconds = opened.Record.CreatedUnixMilliseconds,
            SessionId = sessionId,
            MetadataJson = opened.Record.MetadataJson,
            Arrays = [new ArrayDraft(compressed.Name, compressed.DType, compressed.Shape)],
        };
        SegmentMapping mapping;
        IReadOnlyList<ArrayRecord> layout;
        try
        {
            (mapping, layout) = Write(draft, writer => ChunkCodec.DecompressToFile(
                opened.File, table, compressed.PayloadLength, DTypes.ItemSize(compressed.DType), writer.File.Handle, writer.PayloadOffset(0), SegmentLimits.WriteBlockBytes));
        }
        catch (CorruptChunkException ex)
        {
            throw new CorruptSegmentException(opened.Path, ex.Message) { Identity = opened.Identity };
        }

        // The copy keeps the record's payload checksum, so VerifyOnFirstMap checks the decompressed bytes.
        return (mapping, [layout[0] with { PayloadChecksum = compressed.PayloadChecksum }]);
    }

    /// <summary>
    /// Writes a raw single-array copy of <paramref name="draft"/> through <paramref name="fill"/>
    /// into a temporary file of the CACHED directory, maps it privately and unlinks it at once.
    /// </summary>
    public (SegmentMapping Mapping, IReadOnlyList<ArrayRecord> Layout) Write(SegmentDraft draft, Action<SegmentWriter> fill)
    {
        SegmentDraft raw = draft with { Kind = SegmentKind.SingleArray, Policy = RetentionPolicy.Cached, SessionId = sessionId };
        string directory = cachedStore.EnsureTypeDirectory(draft.ResultType);
        session.NoteTempDirectory(cachedStore.Tag, Path.GetFileName(directory));
        using SegmentWriter writer = SegmentWriter.Create(directory, raw);
        fill(writer);
        SegmentMapping mapping = SegmentMapping.MapPrivate(writer.File.Handle, writer.RecordOffset, writer.File.Path, prefault);
        writer.File.Unlink(); // the mapping keeps the pages; nothing else ever sees them
        ArrayDraft array = raw.Arrays[0];
        return (mapping, [new ArrayRecord(array.Name, array.DType, array.Shape, writer.PayloadOffset(0), array.PayloadLength, PayloadChecksum: 0)]);
    }
}
