using System.IO.Hashing;
using System.Security.Cryptography;

namespace Osipy.MappedCache.Segments;

/// <summary>
/// Writes one segment into a temporary file beside its final path and publishes it with an atomic
/// rename, so a reader sees the old segment or the whole new one, never a part.
/// </summary>
/// <remarks>
/// Usage: <see cref="Create"/>, then for each array in order <see cref="AppendFrom"/> its bytes,
/// then <see cref="Publish"/>. Disposing an unpublished writer deletes the temporary file.
/// The full file length is reserved up front (posix_fallocate via PreallocationSize), so a full
/// disk fails here with an <see cref="IOException"/> rather than later.
/// Not thread-safe: one writer per put.
/// </remarks>
internal sealed class SegmentWriter : IDisposable
{
    /// <summary>Temporary files start with this, so directory scans can tell them from segments.</summary>
    public const string TempPrefix = ".tmp-";

    private readonly SegmentDraft _draft;
    private readonly FileStream _file;
    private readonly long[] _offsets;
    private readonly long _recordOffset;
    private readonly ulong[] _checksums;
    private readonly XxHash3 _hash = new();
    private int _arrayIndex;
    private long _written;
    private bool _published;

    private SegmentWriter(SegmentDraft draft, string tempPath, FileStream file, long[] offsets, long recordOffset)
    {
        _draft = draft;
        TempPath = tempPath;
        _file = file;
        _offsets = offsets;
        _recordOffset = recordOffset;
        _checksums = new ulong[draft.Arrays.Count];
    }

    public string TempPath { get; }

    /// <summary>What is being written: key, type, time stamp, metadata, arrays.</summary>
    public SegmentDraft Draft => _draft;

    /// <summary>The temporary file, for mapping its payload in place (the zero-copy writer).</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle Handle => _file.SafeFileHandle;

    /// <summary>Where the record will go: every payload lies below it.</summary>
    public long RecordOffset => _recordOffset;

    /// <summary>Payload offset of array <paramref name="index"/>.</summary>
    public long PayloadOffset(int index) => _offsets[index];

    /// <summary>
    /// Declares the payloads complete, written through a mapping rather than <see cref="AppendFrom"/>,
    /// with the checksums the caller computed over them.
    /// </summary>
    public void AdoptPayloadChecksums(ReadOnlySpan<ulong> checksums)
    {
        ObjectDisposedException.ThrowIf(_published, this);
        if (_arrayIndex != 0 || _written != 0 || checksums.Length != _checksums.Length)
        {
            throw new InvalidOperationException("Payloads were already appended, or the checksum count differs from the array count.");
        }

        checksums.CopyTo(_checksums);
        _arrayIndex = _checksums.Length;
    }

    /// <summary>Creates the temporary file (mode 0600, never following a symlink) and reserves its space.</summary>
    /// <exception cref="IOException">The file cannot be created or the space reserved (for example ENOSPC).</exception>
    public static SegmentWriter Create(string directory, SegmentDraft draft)
    {
        var payloadLengths = new long[draft.Arrays.Count];
        for (int i = 0; i < payloadLengths.Length; i++)
        {
            payloadLengths[i] = SegmentLayout.PayloadLength(draft.Arrays[i].DType, draft.Arrays[i].Shape);
        }

        var (offsets, recordOffset) = SegmentLayout.Plan(payloadLengths);
        FileStream file = CreateTempFile(directory, draft.SessionId, recordOffset + (64 * 1024), out string tempPath);
        try
        {
            // Preallocation reserves blocks but keeps the length at 0 (FALLOC_FL_KEEP_SIZE); the
            // zero-copy writer maps the payloads, and touching a page past EOF raises SIGBUS.
            file.SetLength(recordOffset);
        }
        catch
        {
            file.Dispose();
            TryDelete(tempPath);
            throw;
        }

        return new SegmentWriter(draft, tempPath, file, offsets, recordOffset);
    }

    /// <summary>
    /// Creates <c>.tmp-&lt;session&gt;-&lt;random&gt;</c> in <paramref name="directory"/>: mode 0600,
    /// O_CREAT|O_EXCL (so never through a planted symlink), <paramref name="reserveBytes"/> reserved.
    /// </summary>
    /// <exception cref="IOException">The file cannot be created or the space reserved (for example ENOSPC).</exception>
    internal static FileStream CreateTempFile(string directory, string sessionId, long reserveBytes, out string tempPath)
    {
        tempPath = Path.Combine(directory, TempPrefix + sessionId + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            PreallocationSize = reserveBytes,
        };
        try
        {
            return new FileStream(tempPath, options);
        }
        catch (IOException ex) when (File.Exists(tempPath))
        {
            TryDelete(tempPath);
            throw new IOException($"Cannot reserve {reserveBytes} bytes for a segment in '{directory}': {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Appends <paramref name="length"/> payload bytes at <paramref name="address"/> (pinned or
    /// native memory), in writes that end on <see cref="SegmentLimits.WriteBlockBytes"/> boundaries
    /// of the file. Arrays of any size: no span longer than one block is formed.
    /// </summary>
    public void AppendFrom(nint address, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long done = 0;
        while (done < length)
        {
            long toBoundary = SegmentLimits.WriteBlockBytes - (NextWriteOffset() % SegmentLimits.WriteBlockBytes);
            int piece = (int)Math.Min(toBoundary, length - done);
            AppendPiece(Mapping.ArrayBytes.At(address, done, piece));
            done += piece;
        }
    }

    /// <summary>Appends payload bytes, moving on to the next array as each fills, hashing them as they pass.</summary>
    private void AppendPiece(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_published, this);
        while (!bytes.IsEmpty)
        {
            if (_arrayIndex == _draft.Arrays.Count)
            {
                throw new InvalidOperationException("More payload bytes than the arrays' shapes declare.");
            }

            long remaining = _draft.Arrays[_arrayIndex].PayloadLength - _written;
            if (remaining == 0)
            {
                FinishArray();
                continue;
            }

            int take = (int)Math.Min(remaining, bytes.Length);
            ReadOnlySpan<byte> chunk = bytes[..take];
            _hash.Append(chunk);
            RandomAccess.Write(_file.SafeFileHandle, chunk, _offsets[_arrayIndex] + _written);
            _written += take;
            bytes = bytes[take..];
        }
    }

    /// <summary>Writes header and record, then renames the file to <paramref name="finalPath"/>.</summary>
    /// <returns>The record as written and the file's length.</returns>
    public (SegmentRecord Record, long FileLength) Publish(string finalPath)
    {
        ObjectDisposedException.ThrowIf(_published, this);
        while (_arrayIndex < _draft.Arrays.Count)
        {
            if (_written != _draft.Arrays[_arrayIndex].PayloadLength)
            {
                throw new InvalidOperationException($"Array {_arrayIndex} received {_written} of {_draft.Arrays[_arrayIndex].PayloadLength} bytes.");
            }

            FinishArray();
        }

        var header = new byte[NpyHeader.Size];
        if (_draft.Kind == SegmentKind.SingleArray)
        {
            NpyHeader.Write(header, _draft.Arrays[0].DType, _draft.Arrays[0].Shape);
        }
        else
        {
            BundlePreamble.Write(header);
        }

        RandomAccess.Write(_file.SafeFileHandle, header, 0);
        SegmentRecord record = _draft.ToRecord(XxHash3.HashToUInt64(header), [.. _draft.Arrays.Select((a, i) => new ArrayRecord(a.Name, a.DType, a.Shape, _offsets[i], a.PayloadLength, _checksums[i]))]);
        byte[] encoded = SegmentRecordCodec.Encode(record);
        if (encoded.Length > SegmentLimits.MaxRecordBytes)
        {
            throw new ArgumentException($"The key, metadata and array names need {encoded.Length} bytes; a segment record holds at most {SegmentLimits.MaxRecordBytes}.");
        }

        long fileLength = _recordOffset + encoded.Length;
        RandomAccess.Write(_file.SafeFileHandle, encoded, _recordOffset);
        // Preallocation reserved a little slack for the record; cut it so the length is exact.
        _file.SetLength(fileLength);
        _file.Dispose();
        File.Move(TempPath, finalPath, overwrite: true); // rename(2): atomic within the directory
        _published = true;
        return (record, fileLength);
    }

    public void Dispose()
    {
        _file.Dispose();
        if (!_published)
        {
            TryDelete(TempPath);
        }
    }

    /// <summary>Where the next payload byte goes: past any arrays already complete.</summary>
    private long NextWriteOffset()
    {
        int index = _arrayIndex;
        long written = _written;
        while (index < _offsets.Length - 1 && written == _draft.Arrays[index].PayloadLength)
        {
            index++;
            written = 0;
        }

        return index < _offsets.Length ? _offsets[index] + written : _recordOffset;
    }

    private void FinishArray()
    {
        _checksums[_arrayIndex] = _hash.GetCurrentHashAsUInt64();
        _hash.Reset();
        _arrayIndex++;
        _written = 0;
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
