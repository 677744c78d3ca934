using System.IO.Hashing;
using Osipy.MappedCache.Compression;

namespace Osipy.MappedCache.Segments;

/// <summary>
/// Writes a compressed single-array segment into a temporary file and publishes it with an atomic
/// rename, as <see cref="SegmentWriter"/> does for raw segments.
/// </summary>
/// <remarks>
/// The compressed size is not known in advance, so nothing is preallocated: a full disk surfaces
/// as an <see cref="IOException"/> from a write, and there is no mapping to fault. Not thread-safe.
/// </remarks>
internal sealed class CompressedSegmentWriter : IDisposable
{
    private readonly SegmentDraft _draft;
    private readonly FileStream _file;
    private ChunkEntry[]? _chunks;
    private ulong _rawChecksum;
    private bool _published;

    private CompressedSegmentWriter(SegmentDraft draft, FileStream file, string tempPath)
    {
        _draft = draft;
        _file = file;
        TempPath = tempPath;
    }

    public string TempPath { get; }

    /// <exception cref="ArgumentException">The draft is not a single array.</exception>
    public static CompressedSegmentWriter Create(string directory, SegmentDraft draft)
    {
        if (draft.Kind != SegmentKind.Compressed || draft.Arrays.Count != 1)
        {
            throw new ArgumentException("A compressed segment holds exactly one array.", nameof(draft));
        }

        FileStream file = SegmentWriter.CreateTempFile(directory, draft.SessionId, reserveBytes: 0, out string tempPath);
        return new CompressedSegmentWriter(draft, file, tempPath);
    }

    /// <summary>Compresses the array's bytes at <paramref name="source"/> into the file, in parallel chunks.</summary>
    public void Compress(nint source)
    {
        ArrayDraft array = _draft.Arrays[0];
        _rawChecksum = Checksum(source, array.PayloadLength);
        _chunks = ChunkCodec.CompressTo(_file.SafeFileHandle, SegmentLimits.PageSize, source, array.PayloadLength, DTypes.ItemSize(array.DType));
    }

    /// <summary>Writes preamble, chunk table and record, then renames the file to <paramref name="finalPath"/>.</summary>
    public SegmentRecord Publish(string finalPath)
    {
        ObjectDisposedException.ThrowIf(_published, this);
        ChunkEntry[] chunks = _chunks ?? throw new InvalidOperationException("Compress before publishing.");
        ArrayDraft array = _draft.Arrays[0];
        long dataEnd = chunks.Length == 0 ? SegmentLimits.PageSize : chunks[^1].Offset + chunks[^1].Length;
        long tableOffset = SegmentLayout.AlignUp(dataEnd, 8);

        var preamble = new byte[SegmentLimits.PageSize];
        BundlePreamble.Write(preamble, SegmentKind.Compressed);
        RandomAccess.Write(_file.SafeFileHandle, preamble, 0);
        byte[] table = ChunkTable.Encode(chunks);
        RandomAccess.Write(_file.SafeFileHandle, table, tableOffset);
        SegmentRecord record = _draft.ToRecord(XxHash3.HashToUInt64(preamble), [new ArrayRecord(array.Name, array.DType, array.Shape, tableOffset, array.PayloadLength, _rawChecksum)]);
        byte[] encoded = SegmentRecordCodec.Encode(record);
        long recordOffset = tableOffset + table.Length;
        RandomAccess.Write(_file.SafeFileHandle, encoded, recordOffset);
        _file.SetLength(recordOffset + encoded.Length);
        _file.Dispose();
        File.Move(TempPath, finalPath, overwrite: true);
        _published = true;
        return record;
    }

    public void Dispose()
    {
        _file.Dispose();
        if (!_published)
        {
            SegmentWriter.TryDelete(TempPath);
        }
    }

    private static unsafe ulong Checksum(nint source, long length)
    {
        var hash = new XxHash3();
        for (long offset = 0; offset < length; offset += ChunkCodec.ChunkBytes)
        {
            hash.Append(new ReadOnlySpan<byte>((byte*)source + offset, (int)Math.Min(ChunkCodec.ChunkBytes, length - offset)));
        }

        return hash.GetCurrentHashAsUInt64();
    }
}
