using System.IO.Hashing;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Compression;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Writes a compressed single-array segment (.zseg) into a <see cref="TempSegment"/>: chunks,
/// chunk table, preamble and record. <see cref="SegmentPublisher"/> then makes it visible.
/// </summary>
/// <remarks>
/// The compressed size is not known in advance, so nothing is preallocated: a full disk surfaces
/// as an <see cref="IOException"/> from a write, and there is no mapping to fault. Not thread-safe.
/// </remarks>
internal sealed class CompressedSegmentWriter : IDisposable
{
    private readonly SegmentDraft _draft;
    private ChunkEntry[]? _chunks;
    private ulong _rawChecksum;

    private CompressedSegmentWriter(SegmentDraft draft, TempSegment file)
    {
        _draft = draft;
        File = file;
    }

    public TempSegment File { get; }

    /// <summary>The file's length once sealed.</summary>
    public long FileLength { get; private set; }

    /// <exception cref="ArgumentException">The draft is not a single compressed array.</exception>
    public static CompressedSegmentWriter Create(string directory, SegmentDraft draft)
    {
        if (draft.Kind != SegmentKind.Compressed || draft.Arrays.Count != 1)
        {
            throw new ArgumentException("A compressed segment holds exactly one array.", nameof(draft));
        }

        return new CompressedSegmentWriter(draft, TempSegment.Create(directory, draft.SessionId, reserveBytes: 0));
    }

    /// <summary>Compresses the array's raw bytes from <paramref name="source"/> into the file, in parallel chunks.</summary>
    public void Compress(ByteSource source)
    {
        ArrayDraft array = _draft.Arrays[0];
        if (source.Length != array.PayloadLength)
        {
            throw new ArgumentException($"The source holds {source.Length} bytes; the array needs {array.PayloadLength}.", nameof(source));
        }

        var hash = new XxHash3();
        for (long offset = 0; offset < source.Length; offset += ChunkCodec.ChunkBytes)
        {
            hash.Append(source.Slice(offset, (int)Math.Min(ChunkCodec.ChunkBytes, source.Length - offset)));
        }

        _rawChecksum = hash.GetCurrentHashAsUInt64();
        _chunks = ChunkCodec.CompressTo(File.Handle, SegmentLimits.PageSize, source, DTypes.ItemSize(array.DType));
    }

    /// <summary>Writes preamble, chunk table and record; the file is then ready to publish.</summary>
    public SegmentRecord Seal()
    {
        ChunkEntry[] chunks = _chunks ?? throw new InvalidOperationException("Compress before sealing.");
        ArrayDraft array = _draft.Arrays[0];
        long dataEnd = chunks.Length == 0 ? SegmentLimits.PageSize : chunks[^1].Offset + chunks[^1].Length;
        long tableOffset = SegmentLayout.AlignUp(dataEnd, 8);

        var preamble = new byte[SegmentLimits.PageSize];
        BundlePreamble.Write(preamble, SegmentKind.Compressed);
        File.Write(preamble, 0);
        byte[] table = ChunkTable.Encode(chunks);
        File.Write(table, tableOffset);
        SegmentRecord record = _draft.ToRecord(XxHash3.HashToUInt64(preamble), [new ArrayRecord(array.Name, array.DType, array.Shape, tableOffset, array.PayloadLength, _rawChecksum)]);
        byte[] encoded = SegmentRecordCodec.Encode(record);
        long recordOffset = tableOffset + table.Length;
        File.Write(encoded, recordOffset);
        File.SetLength(recordOffset + encoded.Length);
        FileLength = recordOffset + encoded.Length;
        _chunks = null;
        return record;
    }

    public void Dispose() => File.Dispose();
}
