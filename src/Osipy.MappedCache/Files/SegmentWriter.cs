using System.IO.Hashing;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>
/// Writes one raw segment (a single array or a bundle) into a <see cref="TempSegment"/>: the first
/// page and the payloads in file order, then the record. <see cref="SegmentPublisher"/> then makes it visible.
/// </summary>
/// <remarks>
/// Usage: <see cref="Create"/>, then for each array in order <see cref="Append"/> its bytes (or
/// fill them through a mapping and <see cref="AdoptPayloadChecksums"/>), then <see cref="Seal"/>.
/// The full file length is known and reserved up front (the record's size depends only on the
/// draft), so a record too large or a full disk fails at <see cref="Create"/>, before any payload
/// is written. Appended bytes below <see cref="WrittenThrough"/> are final as they are written,
/// which lets an upload read them while the rest is still being written. Disposing an unpublished writer
/// deletes its file. Not thread-safe.
/// </remarks>
internal sealed class SegmentWriter : IDisposable
{
    /// <summary>Below this an array's checksum is computed inline: a task would cost more than it saves.</summary>
    private const long HashAlongsideBytes = 64L << 20;

    private readonly long[] _offsets;
    private readonly ulong[] _checksums;
    private readonly XxHash3 _hash = new();
    private readonly byte[] _header;
    private readonly ulong _headerChecksum;
    private bool _headerWritten;
    private int _arrayIndex;
    private long _written;
    private bool _sealed;

    private SegmentWriter(SegmentDraft draft, TempSegment file, long[] offsets, long recordOffset, long fileLength, byte[] header, ulong headerChecksum)
    {
        Draft = draft;
        File = file;
        _offsets = offsets;
        RecordOffset = recordOffset;
        FileLength = fileLength;
        _header = header;
        _headerChecksum = headerChecksum;
        _checksums = new ulong[draft.Arrays.Count];
    }

    /// <summary>What is being written: key, type, time stamp, metadata, arrays.</summary>
    public SegmentDraft Draft { get; }

    /// <summary>The file being written; it stays open after publication.</summary>
    public TempSegment File { get; }

    /// <summary>Where the record will go: every payload lies below it, so this is the length to map.</summary>
    public long RecordOffset { get; }

    /// <summary>The file's length once sealed (known from the start): the length a reader maps.</summary>
    public long FileLength { get; }

    /// <summary>Every byte of the file below this offset is final: the first page and the payload written so far; <see cref="FileLength"/> once sealed.</summary>
    public long WrittenThrough => _sealed ? FileLength : _headerWritten ? NextWriteOffset() : 0;

    /// <summary>Called with <see cref="WrittenThrough"/> after each piece <see cref="Append"/> writes and after <see cref="Seal"/>.</summary>
    public Action<long>? Progress { get; set; }

    /// <summary>The record, once sealed.</summary>
    public SegmentRecord? Record { get; private set; }

    /// <summary>Payload offset of array <paramref name="index"/>.</summary>
    public long PayloadOffset(int index) => _offsets[index];

    /// <summary>Creates the temporary file in <paramref name="directory"/>, reserves its space and sets its length.</summary>
    /// <param name="directory">The type directory.</param>
    /// <param name="draft">What is written.</param>
    /// <param name="makeRoom">Asked for room for the file's bytes before it is created (the disk
    /// budget); what it returns is disposed once the file and its reserved space exist.</param>
    /// <exception cref="IOException">The file cannot be created or the space reserved (for example ENOSPC).</exception>
    public static SegmentWriter Create(string directory, SegmentDraft draft, Func<long, IDisposable?>? makeRoom = null)
    {
        var payloadLengths = new long[draft.Arrays.Count];
        for (int i = 0; i < payloadLengths.Length; i++)
        {
            payloadLengths[i] = draft.Arrays[i].PayloadLength;
        }

        var (offsets, recordOffset) = SegmentLayout.Plan(payloadLengths);
        byte[] header = Header(draft);
        ulong headerChecksum = XxHash3.HashToUInt64(header);

        // The record's encoding has the same size whatever the checksums: this is the final length.
        int recordLength = SegmentRecordCodec.Encode(ToRecord(draft, offsets, headerChecksum, new ulong[draft.Arrays.Count])).Length;
        if (recordLength > SegmentLimits.MaxRecordBytes)
        {
            throw new ArgumentException($"The key, metadata and array names need {recordLength} bytes; a segment record holds at most {SegmentLimits.MaxRecordBytes}.");
        }

        TempSegment file;
        using (makeRoom?.Invoke(recordOffset + recordLength))
        {
            file = TempSegment.Create(directory, draft.SessionId, recordOffset + recordLength);
        }

        try
        {
            // Preallocation reserves blocks but keeps the length at 0 (FALLOC_FL_KEEP_SIZE); the
            // zero-copy writer maps the payloads, and touching a page past EOF raises SIGBUS.
            file.SetLength(recordOffset);
            return new SegmentWriter(draft, file, offsets, recordOffset, recordOffset + recordLength, header, headerChecksum);
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
        if (CanHashAlongside(source))
        {
            AppendHashingAlongside(source);
            return;
        }

        WritePieces(source, hashInline: true);
    }

    /// <summary>Writes <paramref name="source"/> in pieces that end on 2 MiB file offsets, reporting progress after each.</summary>
    private void WritePieces(ByteSource source, bool hashInline)
    {
        long done = 0;
        while (done < source.Length)
        {
            long toBoundary = SegmentLimits.WriteBlockBytes - (NextWriteOffset() % SegmentLimits.WriteBlockBytes);
            int piece = (int)Math.Min(toBoundary, source.Length - done);
            AppendPiece(source.Slice(done, piece), hashInline);
            done += piece;
            Progress?.Invoke(NextWriteOffset());
        }
    }

    /// <summary>
    /// A large array appended whole, on a machine with a second core: its checksum is computed on
    /// another thread while this one writes, instead of before each write on this one. The checksum
    /// pass costs about a third of a put otherwise (docs/PERFORMANCE.md, issue 13).
    /// </summary>
    private bool CanHashAlongside(ByteSource source) =>
        source.Length >= HashAlongsideBytes
        && Environment.ProcessorCount > 1
        && !_sealed
        && _arrayIndex < Draft.Arrays.Count
        && _written == 0
        && source.Length == Draft.Arrays[_arrayIndex].PayloadLength;

    private void AppendHashingAlongside(ByteSource source)
    {
        WriteHeaderOnce();

        // Whoever claims the checksum computes it: the pool thread if it starts in time, else this
        // thread after its writes, so a pool saturated by the caller's own puts only loses the overlap.
        int claimed = 0;
        ulong checksum = 0;
        Task alongside = Task.Run(() =>
        {
            if (Interlocked.Exchange(ref claimed, 1) == 0)
            {
                checksum = Checksum(source);
            }
        });

        bool writtenAll = false, ranAlongside = false;
        try
        {
            WritePieces(source, hashInline: false);
            writtenAll = true;
        }
        finally
        {
            if (Interlocked.Exchange(ref claimed, 1) == 0)
            {
                checksum = writtenAll ? Checksum(source) : 0;
            }
            else
            {
                // Started: wait for it even when a write failed, since the source is valid only until Append returns.
                ranAlongside = true;
                ((IAsyncResult)alongside).AsyncWaitHandle.WaitOne();
            }
        }

        if (ranAlongside)
        {
            alongside.GetAwaiter().GetResult(); // a failure of the checksum pass surfaces here
        }
        _checksums[_arrayIndex] = checksum;
        _arrayIndex++;
        _written = 0;
    }

    private static ulong Checksum(ByteSource source)
    {
        var hash = new XxHash3();
        for (long done = 0; done < source.Length; done += SegmentLimits.WriteBlockBytes)
        {
            hash.Append(source.Slice(done, (int)Math.Min(SegmentLimits.WriteBlockBytes, source.Length - done)));
        }

        return hash.GetCurrentHashAsUInt64();
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

        WriteHeaderOnce();
        SegmentRecord record = ToRecord(Draft, _offsets, _headerChecksum, _checksums);
        byte[] encoded = SegmentRecordCodec.Encode(record);
        if (RecordOffset + encoded.Length != FileLength)
        {
            throw new InvalidOperationException($"The record took {encoded.Length} bytes where {FileLength - RecordOffset} were planned.");
        }

        File.Write(encoded, RecordOffset);
        // Preallocation reserved exactly the record; the length grows to take it.
        File.SetLength(FileLength);
        _sealed = true;
        Record = record;
        Progress?.Invoke(FileLength);
        return record;
    }

    public void Dispose() => File.Dispose();

    /// <summary>
    /// Writes the first page: before the first payload byte when payloads are appended (so an
    /// upload can read from the start while the rest is written), at the seal when they were
    /// filled through a mapping (a write into the first 2 MiB block before the mapping's faults
    /// would keep the page cache from using a 2 MiB folio there).
    /// </summary>
    private void WriteHeaderOnce()
    {
        if (!_headerWritten)
        {
            File.Write(_header, 0);
            _headerWritten = true;
        }
    }

    /// <summary>The first page: an npy header for a single array, the bundle preamble otherwise.</summary>
    private static byte[] Header(SegmentDraft draft)
    {
        var header = new byte[NpyHeader.Size];
        if (draft.Kind == SegmentKind.SingleArray)
        {
            NpyHeader.Write(header, draft.Arrays[0].DType, draft.Arrays[0].Shape);
        }
        else
        {
            BundlePreamble.Write(header);
        }

        return header;
    }

    private static SegmentRecord ToRecord(SegmentDraft draft, long[] offsets, ulong headerChecksum, ulong[] checksums)
    {
        var arrays = new ArrayRecord[draft.Arrays.Count];
        for (int i = 0; i < arrays.Length; i++)
        {
            ArrayDraft array = draft.Arrays[i];
            arrays[i] = new ArrayRecord(array.Name, array.DType, array.Shape, offsets[i], array.PayloadLength, checksums[i]);
        }

        return draft.ToRecord(headerChecksum, arrays);
    }

    /// <summary>Appends payload bytes, moving on to the next array as each fills, hashing them as they pass if asked.</summary>
    private void AppendPiece(ReadOnlySpan<byte> bytes, bool hashInline)
    {
        ObjectDisposedException.ThrowIf(_sealed, this);
        WriteHeaderOnce();
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
            if (hashInline)
            {
                _hash.Append(chunk);
            }

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
