using System.IO.Hashing;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Segments;

/// <summary>
/// Writes one raw segment (a single array or a bundle) into a <see cref="TempSegment"/>: payloads,
/// then the first page and the record. <see cref="SegmentPublisher"/> then makes it visible.
/// </summary>
/// <remarks>
/// Usage: <see cref="Create"/>, then for each array in order <see cref="Append"/> its bytes (or
/// fill them through a mapping and <see cref="AdoptPayloadChecksums"/>), then <see cref="Seal"/>.
/// The full file length is reserved up front, so a full disk fails at <see cref="Create"/> with
/// an <see cref="IOException"/>. Disposing an unpublished writer deletes its file. Not thread-safe.
/// </remarks>
internal sealed class SegmentWriter : IDisposable
{
    private readonly long[] _offsets;
    private readonly ulong[] _checksums;
    private readonly XxHash3 _hash = new();
    private int _arrayIndex;
    private long _written;
    private bool _sealed;

    private SegmentWriter(SegmentDraft draft, TempSegment file, long[] offsets, long recordOffset)
    {
        Draft = draft;
        File = file;
        _offsets = offsets;
        RecordOffset = recordOffset;
        _checksums = new ulong[draft.Arrays.Count];
    }

    /// <summary>What is being written: key, type, time stamp, metadata, arrays.</summary>
    public SegmentDraft Draft { get; }

    /// <summary>The file being written; it stays open after publication.</summary>
    public TempSegment File { get; }

    /// <summary>Where the record will go: every payload lies below it, so this is the length to map.</summary>
    public long RecordOffset { get; }

    /// <summary>The file's length once sealed: the length a reader maps.</summary>
    public long FileLength { get; private set; }

    /// <summary>The record, once sealed.</summary>
    public SegmentRecord? Record { get; private set; }

    /// <summary>Payload offset of array <paramref name="index"/>.</summary>
    public long PayloadOffset(int index) => _offsets[index];

    /// <summary>Creates the temporary file in <paramref name="directory"/>, reserves its space and sets its length.</summary>
    /// <exception cref="IOException">The file cannot be created or the space reserved (for example ENOSPC).</exception>
    public static SegmentWriter Create(string directory, SegmentDraft draft)
    {
        var payloadLengths = new long[draft.Arrays.Count];
        for (int i = 0; i < payloadLengths.Length; i++)
        {
            payloadLengths[i] = draft.Arrays[i].PayloadLength;
        }

        var (offsets, recordOffset) = SegmentLayout.Plan(payloadLengths);
        TempSegment file = TempSegment.Create(directory, draft.SessionId, recordOffset + (64 * 1024));
        try
        {
            // Preallocation reserves blocks but keeps the length at 0 (FALLOC_FL_KEEP_SIZE); the
            // zero-copy writer maps the payloads, and touching a page past EOF raises SIGBUS.
            file.SetLength(recordOffset);
            return new SegmentWriter(draft, file, offsets, recordOffset);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Declares the payloads complete, written through a mapping rather than <see cref="Append"/>,
    /// with the checksums the caller computed over them.
    /// </summary>
    public void AdoptPayloadChecksums(ReadOnlySpan<ulong> checksums)
    {
        ObjectDisposedException.ThrowIf(_sealed, this);
        if (_arrayIndex != 0 || _written != 0 || checksums.Length != _checksums.Length)
        {
            throw new InvalidOperationException("Payloads were already appended, or the checksum count differs from the array count.");
        }

        checksums.CopyTo(_checksums);
        _arrayIndex = _checksums.Length;
    }

    /// <summary>
    /// Appends every byte of <paramref name="source"/> as payload, in writes that end on
    /// <see cref="SegmentLimits.WriteBlockBytes"/> boundaries of the file (so the page cache can
    /// keep the payload in 2 MiB folios), moving on to the next array as each fills.
    /// </summary>
    public void Append(ByteSource source)
    {
        long done = 0;
        while (done < source.Length)
        {
            long toBoundary = SegmentLimits.WriteBlockBytes - (NextWriteOffset() % SegmentLimits.WriteBlockBytes);
            int piece = (int)Math.Min(toBoundary, source.Length - done);
            AppendPiece(source.Slice(done, piece));
            done += piece;
        }
    }

    /// <summary>Writes the first page and the record after the payloads; the file is then ready to publish.</summary>
    /// <exception cref="InvalidOperationException">A payload is incomplete.</exception>
    /// <exception cref="ArgumentException">The record would exceed its bound.</exception>
    public SegmentRecord Seal()
    {
        ObjectDisposedException.ThrowIf(_sealed, this);
        while (_arrayIndex < Draft.Arrays.Count)
        {
            if (_written != Draft.Arrays[_arrayIndex].PayloadLength)
            {
                throw new InvalidOperationException($"Array {_arrayIndex} received {_written} of {Draft.Arrays[_arrayIndex].PayloadLength} bytes.");
            }

            FinishArray();
        }

        var header = new byte[NpyHeader.Size];
        if (Draft.Kind == SegmentKind.SingleArray)
        {
            NpyHeader.Write(header, Draft.Arrays[0].DType, Draft.Arrays[0].Shape);
        }
        else
        {
            BundlePreamble.Write(header);
        }

        var arrays = new ArrayRecord[Draft.Arrays.Count];
        for (int i = 0; i < arrays.Length; i++)
        {
            ArrayDraft array = Draft.Arrays[i];
            arrays[i] = new ArrayRecord(array.Name, array.DType, array.Shape, _offsets[i], array.PayloadLength, _checksums[i]);
        }

        SegmentRecord record = Draft.ToRecord(XxHash3.HashToUInt64(header), arrays);
        byte[] encoded = SegmentRecordCodec.Encode(record);
        if (encoded.Length > SegmentLimits.MaxRecordBytes)
        {
            throw new ArgumentException($"The key, metadata and array names need {encoded.Length} bytes; a segment record holds at most {SegmentLimits.MaxRecordBytes}.");
        }

        File.Write(header, 0);
        File.Write(encoded, RecordOffset);
        // Preallocation reserved a little slack for the record; cut it so the length is exact.
        File.SetLength(RecordOffset + encoded.Length);
        _sealed = true;
        FileLength = RecordOffset + encoded.Length;
        Record = record;
        return record;
    }

    public void Dispose() => File.Dispose();

    /// <summary>Appends payload bytes, moving on to the next array as each fills, hashing them as they pass.</summary>
    private void AppendPiece(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_sealed, this);
        while (!bytes.IsEmpty)
        {
            if (_arrayIndex == Draft.Arrays.Count)
            {
                throw new InvalidOperationException("More payload bytes than the arrays' shapes declare.");
            }

            long remaining = Draft.Arrays[_arrayIndex].PayloadLength - _written;
            if (remaining == 0)
            {
                FinishArray();
                continue;
            }

            int take = (int)Math.Min(remaining, bytes.Length);
            ReadOnlySpan<byte> chunk = bytes[..take];
            _hash.Append(chunk);
            File.Write(chunk, _offsets[_arrayIndex] + _written);
            _written += take;
            bytes = bytes[take..];
        }
    }

    /// <summary>Where the next payload byte goes: past any arrays already complete.</summary>
    private long NextWriteOffset()
    {
        int index = _arrayIndex;
        long written = _written;
        while (index < _offsets.Length - 1 && written == Draft.Arrays[index].PayloadLength)
        {
            index++;
            written = 0;
        }

        return index < _offsets.Length ? _offsets[index] + written : RecordOffset;
    }

    private void FinishArray()
    {
        _checksums[_arrayIndex] = _hash.GetCurrentHashAsUInt64();
        _hash.Reset();
        _arrayIndex++;
        _written = 0;
    }
}
