using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Osipy.MappedCache.Interop;
using Osipy.MappedCache.Compression;
using Osipy.MappedCache.Format;

namespace Osipy.MappedCache.Files;

/// <summary>A segment file opened and validated, payload not yet read or mapped.</summary>
internal sealed class OpenedSegment(SafeFileHandle file, string path, SegmentRecord record, long length, FileIdentity identity) : IDisposable
{
    public SafeFileHandle File { get; } = file;

    /// <summary>Which file was opened: a later look at the path tells whether it still names this one.</summary>
    public FileIdentity Identity { get; } = identity;

    public string Path { get; } = path;

    public SegmentRecord Record { get; } = record;

    public long Length { get; } = length;

    public void Dispose() => File.Dispose();
}

/// <summary>
/// Opens a segment and validates everything but the payload bytes, before anything is mapped:
/// file type, length, trailer, record checksum, layout, first-page checksum, NPY grammar.
/// Reads three small blocks whatever the array's size, so a get costs the same for 1 MB as for 2 GB.
/// </summary>
internal static class SegmentReader
{
    /// <returns>The validated segment, or null when no file exists at <paramref name="path"/>.</returns>
    /// <exception cref="CorruptSegmentException">The file is not a valid segment (a symlink included).</exception>
    /// <exception cref="IOException">The file exists but cannot be opened.</exception>
    public static OpenedSegment? TryOpen(string path)
    {
        // O_NONBLOCK so a planted FIFO cannot block the open; O_NOFOLLOW so a symlink fails with ELOOP.
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                Libc.ENOENT => null,
                Libc.ELOOP => throw new CorruptSegmentException(path, "is a symbolic link"),
                _ => throw Libc.IOExceptionFor(errno, "open", path),
            };
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);
        FileIdentity? identity = null;
        try
        {
            if (Libc.Statx(fd, string.Empty, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, out Libc.StatxBuffer stat) != 0)
            {
                throw Libc.IOExceptionFor(Marshal.GetLastPInvokeError(), "statx", path);
            }

            identity = FileIdentity.From(stat);
            if (stat.FileType != Libc.S_IFREG)
            {
                throw new CorruptSegmentException(path, "is not a regular file");
            }

            long length = checked((long)stat.Size);
            SegmentRecord record = Validate(file, path, length);
            return new OpenedSegment(file, path, record, length, identity.Value);
        }
        catch (CorruptSegmentException ex) when (ex.Identity is null && identity is not null)
        {
            file.Dispose();
            throw new CorruptSegmentException(path, ex.Reason, ex.FromNewerVersion) { Identity = identity };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static SegmentRecord Validate(SafeFileHandle file, string path, long length)
    {
        if (length < SegmentLimits.PageSize + SegmentRecordCodec.TrailerLength)
        {
            throw new CorruptSegmentException(path, $"file of {length} bytes is shorter than a header and a record (truncated?)");
        }

        Span<byte> trailer = stackalloc byte[SegmentRecordCodec.TrailerLength];
        ReadExactly(file, trailer, length - trailer.Length, path);
        int recordLength;
        try
        {
            recordLength = SegmentRecordCodec.ReadLengthFromTrailer(trailer);
        }
        catch (SegmentFormatException ex)
        {
            throw new CorruptSegmentException(path, ex.Reason, ex.FromNewerVersion);
        }

        if (recordLength > length - SegmentLimits.PageSize)
        {
            throw new CorruptSegmentException(path, "record longer than the file allows");
        }

        // Bounded by SegmentLimits.MaxRecordBytes, checked above.
        var recordBytes = new byte[recordLength];
        long recordOffset = length - recordLength;
        ReadExactly(file, recordBytes, recordOffset, path);
        SegmentRecord record;
        try
        {
            record = SegmentRecordCodec.Decode(recordBytes);
        }
        catch (SegmentFormatException ex)
        {
            throw new CorruptSegmentException(path, ex.Reason, ex.FromNewerVersion);
        }

        if (record.Kind == SegmentKind.Compressed)
        {
            ValidateCompressedLayout(record.Arrays[0], recordOffset, path);
        }
        else
        {
            ValidateLayout(record, recordOffset, path);
        }

        Span<byte> header = stackalloc byte[SegmentLimits.PageSize];
        ReadExactly(file, header, 0, path);
        if (XxHash3.HashToUInt64(header) != record.HeaderChecksum)
        {
            throw new CorruptSegmentException(path, "header checksum mismatch");
        }

        if (record.Kind == SegmentKind.SingleArray)
        {
            ValidateNpyHeader(header, record.Arrays[0], path);
        }
        else if (!BundlePreamble.IsValid(header, record.Kind))
        {
            throw new CorruptSegmentException(path, "bad preamble for a bundle or compressed segment");
        }

        return record;
    }

    /// <summary>The file must be exactly what the record's arrays imply: same offsets, same length.</summary>
    private static void ValidateLayout(SegmentRecord record, long recordOffset, string path)
    {
        // Plain loops and arrays here and on the rest of the open path: a new process runs this
        // once, and every LINQ or tuple instantiation would be compiled for it (docs/PERFORMANCE.md).
        var payloadLengths = new long[record.Arrays.Count];
        long[] expectedOffsets;
        long expectedRecordOffset;
        try
        {
            for (int i = 0; i < payloadLengths.Length; i++)
            {
                payloadLengths[i] = SegmentLayout.PayloadLength(record.Arrays[i].DType, record.Arrays[i].Shape);
            }

            (expectedOffsets, expectedRecordOffset) = SegmentLayout.Plan(payloadLengths);
        }
        catch (OverflowException)
        {
            throw new CorruptSegmentException(path, "shape product overflows");
        }

        for (int i = 0; i < record.Arrays.Count; i++)
        {
            ArrayRecord array = record.Arrays[i];
            if (array.PayloadOffset != expectedOffsets[i] || array.PayloadLength != payloadLengths[i])
            {
                throw new CorruptSegmentException(path, $"array {i}: payload offset or length disagrees with its shape");
            }
        }

        if (expectedRecordOffset != recordOffset)
        {
            throw new CorruptSegmentException(path, $"file length disagrees with the shapes (record at {recordOffset}, expected {expectedRecordOffset}); truncated or extended?");
        }
    }

    /// <summary>A compressed segment's chunk table must sit right before the record and fit its shape's chunk count.</summary>
    private static void ValidateCompressedLayout(ArrayRecord array, long recordOffset, string path)
    {
        long rawLength;
        try
        {
            rawLength = SegmentLayout.PayloadLength(array.DType, array.Shape);
        }
        catch (OverflowException)
        {
            throw new CorruptSegmentException(path, "shape product overflows");
        }

        if (array.PayloadLength != rawLength || array.PayloadOffset < SegmentLimits.PageSize || array.PayloadOffset % 8 != 0
            || recordOffset - array.PayloadOffset != (rawLength + ChunkCodec.ChunkBytes - 1) / ChunkCodec.ChunkBytes * ChunkTable.EntryLength)
        {
            throw new CorruptSegmentException(path, "chunk table position disagrees with the shape or the file length");
        }
    }

    private static void ValidateNpyHeader(ReadOnlySpan<byte> header, ArrayRecord array, string path)
    {
        string? error = NpyHeader.TryParse(header, out DType dtype, out long[] shape, out int headerLength);
        if (error is not null)
        {
            throw new CorruptSegmentException(path, error);
        }

        if (headerLength != SegmentLimits.PageSize || dtype != array.DType || !shape.AsSpan().SequenceEqual(array.Shape))
        {
            throw new CorruptSegmentException(path, "NPY header disagrees with the record");
        }
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = RandomAccess.Read(file, buffer[total..], offset + total);
            if (read == 0)
            {
                throw new CorruptSegmentException(path, "file shrank while being read");
            }

            total += read;
        }
    }
}
