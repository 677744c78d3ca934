using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Compression;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Segments;

namespace Osipy.MappedCache;

/// <summary>
/// Compressed PERSISTENT segments. The file at rest is shuffled and LZ4-compressed in chunks; a
/// session never maps it directly. The putting session keeps a raw copy of what it put, and any
/// other session decompresses the file once, in parallel, into a raw copy of its own. A raw copy
/// is an unlinked file in the CACHED directory, mapped privately: only this session sees it, and
/// it disappears with its last lease, even if the process is killed.
/// </summary>
public sealed partial class IntermediateCache
{
    /// <summary>Compresses the array at <paramref name="address"/>, publishes it, and keeps a raw copy mapped for this session.</summary>
    private void PutCompressed(SegmentDraft draft, nint address)
    {
        SegmentDraft compressedDraft = draft with { Kind = SegmentKind.Compressed };
        string directory = _store.EnsureTypeDirectory(draft.ResultType);
        _session.NoteTempDirectory(_store.Tag, Path.GetFileName(directory));
        using var writer = CompressedSegmentWriter.Create(directory, compressedDraft);
        writer.Compress(address);
        (SegmentMapping copy, IReadOnlyList<ArrayRecord> layout) = WriteRawCopy(draft, (w, _) => w.AppendFrom(address, draft.Arrays[0].PayloadLength));

        string path = _store.SegmentPath(draft.ResultType, draft.Key, SegmentKind.Compressed);
        var entryKey = new EntryKey(draft.ResultType, draft.Key);
        lock (_gate)
        {
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                SegmentRecord record = writer.Publish(path);
                DeleteOtherKinds(_store, draft.ResultType, draft.Key, SegmentKind.Compressed);
                if (_table.Remove(entryKey) is { } previous)
                {
                    Release(previous, deleteOwnedFile: false);
                }

                var state = new EntryState(entryKey, path, record, CacheEntries.FromRecord(record), ownedCached: false, layout);
                _table.Add(state);
                _table.SetMapping(state, copy);
                EvictOverBudget(keep: state);
            }
            catch
            {
                if (_table.Find(entryKey)?.Mapping != copy)
                {
                    copy.Dispose();
                }

                throw;
            }
        }
    }

    /// <summary>Decompresses a compressed segment into a raw copy for this session.</summary>
    /// <exception cref="CorruptSegmentException">A chunk or the chunk table is damaged.</exception>
    private (SegmentMapping Mapping, IReadOnlyList<ArrayRecord> Layout) Decompress(OpenedSegment opened)
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
            SessionId = _sessionId,
            MetadataJson = opened.Record.MetadataJson,
            Arrays = [new ArrayDraft(compressed.Name, compressed.DType, compressed.Shape)],
        };
        (SegmentMapping mapping, IReadOnlyList<ArrayRecord> layout) = WriteRawCopy(draft, (writer, _) => ChunkCodec.DecompressToFile(
            opened.File, table, compressed.PayloadLength, DTypes.ItemSize(compressed.DType), writer.Handle, writer.PayloadOffset(0), opened.Path));

        // The copy keeps the record's payload checksum, so VerifyOnFirstMap checks the decompressed bytes.
        return (mapping, [layout[0] with { PayloadChecksum = compressed.PayloadChecksum }]);
    }

    /// <summary>
    /// Writes a raw single-array copy through <paramref name="fill"/> into a temporary file of the
    /// CACHED directory, maps it privately and unlinks it at once.
    /// </summary>
    private (SegmentMapping Mapping, IReadOnlyList<ArrayRecord> Layout) WriteRawCopy(SegmentDraft draft, Action<SegmentWriter, SegmentDraft> fill)
    {
        SegmentDraft raw = draft with { Kind = SegmentKind.SingleArray, Policy = RetentionPolicy.Cached, SessionId = _sessionId };
        string directory = _cachedStore.EnsureTypeDirectory(draft.ResultType);
        _session.NoteTempDirectory(_cachedStore.Tag, Path.GetFileName(directory));
        using SegmentWriter writer = SegmentWriter.Create(directory, raw);
        fill(writer, raw);
        SegmentMapping mapping = SegmentMapping.MapPrivate(writer.Handle, writer.RecordOffset, writer.TempPath, Config.Prefault);
        SegmentStore.Delete(writer.TempPath); // the mapping keeps the pages; nothing else ever sees them
        ArrayDraft array = raw.Arrays[0];
        return (mapping, [new ArrayRecord(array.Name, array.DType, array.Shape, writer.PayloadOffset(0), array.PayloadLength, PayloadChecksum: 0)]);
    }

    /// <summary>The index of the first array whose bytes in <paramref name="mapping"/> do not match its checksum; null if all do.</summary>
    private static int? FirstBadArray(SegmentMapping mapping, SegmentRecord record, IReadOnlyList<ArrayRecord> layout)
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
}
