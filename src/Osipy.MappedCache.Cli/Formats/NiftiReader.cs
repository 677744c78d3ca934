using System.IO.Compression;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// An open NIfTI-1 single file (.nii, or gzip-compressed .nii.gz) whose header has been read and
/// checked; <see cref="ReadInto"/> copies its voxels into a destination in nibabel's index order.
/// </summary>
/// <remarks>
/// <para>
/// NIfTI stores the first index fastest. The array handed on has nibabel's shape (dim[1], dim[2], …)
/// in C order, so element [i, j, k] is what <c>np.asanyarray(img.dataobj)[i, j, k]</c> shows; the
/// reorder streams through a bounded buffer, whatever the array's size. A big-endian file is
/// swapped to little-endian.
/// </para>
/// <para>
/// When scl_slope is finite, nonzero and (scl_slope, scl_inter) is not (1, 0), the values are
/// scaled and <see cref="ElementType"/> becomes nibabel's float64 (complex128 for complex64; see <see cref="NiftiScaling"/>);
/// otherwise the stored type is kept.
/// </para>
/// <para>Not thread-safe. Dispose it to close the file.</para>
/// </remarks>
internal sealed class NiftiReader : IDisposable
{
    private readonly FileStream _file;
    private readonly Stream _data;
    private readonly NiftiHeader _header;
    private readonly NiftiScaling? _scaling;
    private bool _consumed;
    private bool _disposed;

    private NiftiReader(FileStream file, Stream data, bool compressed, string path)
    {
        _file = file;
        _data = data;
        Compressed = compressed;
        Path = path;
        byte[] bytes = new byte[NiftiLayout.HeaderSize];
        StreamReads.Exactly(_data, bytes, path, "the 348-byte NIfTI-1 header");
        _header = NiftiHeader.Parse(bytes, path);
        if (!Compressed)
        {
            // A plain file can be checked whole now; a compressed one only while it is streamed.
            long length = file.Length;
            if (_header.DataOffset > length)
            {
                throw InvalidFile.Exception(path, $"vox_offset {_header.DataOffset} is past the end of the file ({length} bytes)");
            }

            if (length - _header.DataOffset < _header.StoredByteLength)
            {
                throw Truncated(_header, path, length - _header.DataOffset, "the file");
            }
        }

        _scaling = NiftiScaling.Create(_header.StoredType, _header.SclSlope, _header.SclInter, path);
        ElementType = _scaling?.Output ?? _header.StoredType;
        if (!ArrayShape.TryGetLength(_header.Shape, ElementType.ItemSize, out _, out long byteLength))
        {
            throw InvalidFile.Exception(path, $"the dimensions {ArrayShape.Format(_header.Shape)} of scaled {ElementType.Name} overflow a 64-bit byte count");
        }

        ByteLength = byteLength;
        Metadata = NiftiMetadata.Read(_header);
    }

    /// <summary>The file, as given to <see cref="NiftiFile.Open"/>.</summary>
    public string Path { get; }

    /// <summary>Whether the file is gzip-compressed (found from its first bytes, not its name).</summary>
    public bool Compressed { get; }

    /// <summary>Whether the file is big-endian (the data is handed on little-endian anyway).</summary>
    public bool BigEndian => _header.BigEndian;

    /// <summary>The element type in the file.</summary>
    public ElementType StoredElementType => _header.StoredType;

    /// <summary>The element type handed on: the stored one, or float64 (complex128) when scaling applies.</summary>
    public ElementType ElementType { get; }

    /// <summary>Whether scl_slope and scl_inter are applied to the values.</summary>
    public bool ScalingApplied => _scaling is not null;

    /// <summary>nibabel's shape: (dim[1], …, dim[dim[0]]).</summary>
    public IReadOnlyList<long> Shape => _header.Shape;

    /// <summary>The size of the array handed on, in bytes: what the destination must hold.</summary>
    public long ByteLength { get; }

    /// <summary>The size of the stored data in bytes (uncompressed): what progress counts to.</summary>
    public long StoredByteLength => _header.StoredByteLength;

    /// <summary>The header fields as a JSON-friendly dictionary; see <see cref="NiftiMetadata"/> for the keys.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; }

    /// <summary>Opens and checks the file: gzip or not from its first two bytes, then the header; closes it if that fails.</summary>
    internal static NiftiReader Open(FileStream file, string path)
    {
        Stream? data = null;
        try
        {
            Span<byte> sniff = stackalloc byte[2];
            bool compressed = StreamReads.AtMost(file, sniff, path) == 2 && sniff[0] == 0x1f && sniff[1] == 0x8b;
            file.Position = 0;
            if (compressed)
            {
                CheckDecompressedLength(file, path);
                file.Position = 0;
            }

            data = compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
            return new NiftiReader(file, data, compressed, path);
        }
        catch
        {
            if (data != file)
            {
                data?.Dispose();
            }

            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decompresses a .nii.gz once, counting its bytes, so that what its header claims (dim, datatype,
    /// vox_offset) is checked against the data before anything is reserved for it, as a plain file's
    /// length is: a tiny file claiming 16 GiB fails here, not after 16 GiB were set aside. gzip's own
    /// length field (ISIZE) cannot stand in: it is the length modulo 2^32, and only the last member's.
    /// The stream is read to its end, so a bad CRC also fails here, before anything is reserved.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// The header is invalid, the data ends before the header's claim (the message names the file and
    /// the fields), or the gzip stream is corrupt.
    /// </exception>
    private static void CheckDecompressedLength(FileStream file, string path)
    {
        using var data = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        byte[] bytes = new byte[NiftiLayout.HeaderSize];
        StreamReads.Exactly(data, bytes, path, "the 348-byte NIfTI-1 header");
        NiftiHeader header = NiftiHeader.Parse(bytes, path);
        long claimed = header.DataOffset - NiftiLayout.HeaderSize > long.MaxValue - header.StoredByteLength
            ? long.MaxValue
            : header.DataOffset - NiftiLayout.HeaderSize + header.StoredByteLength;
        long length = NiftiLayout.HeaderSize + StreamReads.Count(data, claimed, path);
        if (header.DataOffset > length)
        {
            throw InvalidFile.Exception(path, $"vox_offset {header.DataOffset} is past the end of the decompressed data ({length} bytes)");
        }

        if (length - header.DataOffset < header.StoredByteLength)
        {
            throw Truncated(header, path, length - header.DataOffset, "the decompressed data");
        }

        StreamReads.Drain(data, path);
    }

    private static InvalidDataException Truncated(NiftiHeader header, string path, long held, string what) =>
        InvalidFile.Exception(
            path,
            $"the data is truncated: dim {ArrayShape.Format(header.Shape)} of {header.StoredType.Name} (datatype) need {header.StoredByteLength} bytes " +
            $"from vox_offset {header.DataOffset}, but {what} holds {held}");

    /// <summary>Copies the voxels into <paramref name="destination"/>, little-endian, in C order of <see cref="Shape"/>.</summary>
    /// <param name="destination">Exactly <see cref="ByteLength"/> bytes.</param>
    /// <param name="progress">Told the count of stored bytes read so far, up to <see cref="StoredByteLength"/>, after each block.</param>
    /// <remarks>
    /// Call it once. The data was checked when the file was opened (a .nii.gz by decompressing it once,
    /// length and CRC), so only a file that changed since can fail here: then this throws after part of
    /// the destination was written, and the caller must discard what was written.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not <see cref="ByteLength"/> bytes.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    /// <exception cref="InvalidOperationException">The data was read already.</exception>
    /// <exception cref="InvalidDataException">The data is truncated or the gzip stream corrupt; the message names the file.</exception>
    public void ReadInto(ArrayDestination destination, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArrayReading.BeginRead(destination, ByteLength, Path, ref _consumed);
        if (Compressed)
        {
            // The extension flag and any extensions lie between the header and the data; they are skipped, not read.
            StreamReads.Skip(_data, _header.DataOffset - NiftiLayout.HeaderSize, Path, $"vox_offset {_header.DataOffset}");
        }
        else
        {
            _file.Position = _header.DataOffset;
        }

        var reader = new ElementBlockReader(_data, Path, _header.StoredType, _header.BigEndian, _header.StoredByteLength, _scaling, progress);
        ArrayReading.Read(reader, destination, _header.Shape, fortranOrder: true);
        if (Compressed)
        {
            StreamReads.Drain(_data, Path);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        _disposed = true;
        if (Compressed)
        {
            _data.Dispose();
        }

        _file.Dispose();
    }
}
