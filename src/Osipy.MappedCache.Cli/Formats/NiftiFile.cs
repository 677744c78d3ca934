using System.Buffers.Binary;
using System.IO.Compression;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// NIfTI-1 single files, .nii and gzip-compressed .nii.gz: open one for reading, or write one from a
/// C-order array.
/// </summary>
/// <remarks>Stateless and thread-safe; each call works on its own file.</remarks>
internal static class NiftiFile
{
    private const int MaxDimension = short.MaxValue;

    /// <summary>
    /// Opens <paramref name="path"/>, reads and checks its header (gzip is recognised by its first bytes),
    /// and checks that the data holds what the header claims: a plain file by its length, a .nii.gz by
    /// decompressing it once, counting and checking its CRC (the data is then read in a second pass).
    /// </summary>
    /// <returns>A reader positioned to copy the voxels; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="InvalidDataException">
    /// The header is not a supported NIfTI-1 single-file header, or the data (decompressed, for a .nii.gz)
    /// ends before dim and datatype say it does (the message names the file and the header fields), or
    /// the gzip stream is corrupt.
    /// </exception>
    public static NiftiReader Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return NiftiReader.Open(file, path);
    }

    /// <summary>
    /// Writes a NIfTI-1 single file, gzip-compressed (at the fastest level, as nibabel does) when
    /// <paramref name="path"/> ends in <c>.gz</c>: the header, the 4 zero extension bytes, then the
    /// voxels from vox_offset 352, reordered from C order to NIfTI's first-index-fastest order.
    /// </summary>
    /// <param name="path">The file to create or replace; it appears only once it is complete.</param>
    /// <param name="source">The array, little-endian, in C order of <paramref name="shape"/>.</param>
    /// <param name="type">Its element type; NIfTI-1 has none for bool and float16.</param>
    /// <param name="shape">nibabel's shape, 1 to 7 dimensions of 1 to 32767.</param>
    /// <param name="metadata">
    /// Header fields in the shape <see cref="NiftiReader.Metadata"/> gives them (pixdim, xyzt_units, qform
    /// and sform, descrip, …), or null for nibabel's defaults (pixdim all 1, every code 0).
    /// </param>
    /// <param name="progress">Told the count of array bytes written so far after each block.</param>
    /// <param name="overwrite">Whether an existing file at <paramref name="path"/> is replaced.</param>
    /// <remarks>
    /// The values are written as they are: datatype and bitpix follow from <paramref name="type"/>, and
    /// scl_slope/scl_inter are always 1 and 0 (an explicit identity every reader understands, and what
    /// nibabel writes for unscaled data; not NaN, which only some readers take as "no scaling"), so an
    /// array imported with scaling goes out as its scaled float values and is not scaled twice.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument other than the optional ones is null.</exception>
    /// <exception cref="ArgumentException">
    /// The shape does not fit the source's size, the type has no NIfTI-1 code, or a metadata value does
    /// not fit its field.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">The rank or a dimension is out of range.</exception>
    /// <exception cref="IOException">The file cannot be written, or exists and <paramref name="overwrite"/> is false; the message names <paramref name="path"/>; nothing is left behind.</exception>
    public static void Write(
        string path, ArraySource source, ElementType type, ReadOnlySpan<long> shape, IReadOnlyDictionary<string, object?>? metadata = null, IProgress<long>? progress = null,
        bool overwrite = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(type);
        byte[] header = Header(type, shape, metadata);
        if (!ArrayShape.TryGetLength(shape, type.ItemSize, out _, out long byteLength) || byteLength != source.ByteLength)
        {
            throw new ArgumentException($"The shape {ArrayShape.Format(shape)} of {type.Name} does not describe the source's {source.ByteLength} bytes.", nameof(shape));
        }

        long[] dims = shape.ToArray();
        bool compress = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, overwrite, file =>
        {
            using Stream output = compress ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : file;
            output.Write(header);
            ArrayWriting.Write(source, output, dims, type.ItemSize, fortranOrder: true, progress);
        });
    }

    /// <summary>The 352 bytes before the data: the header and the zero extension flag.</summary>
    internal static byte[] Header(ElementType type, ReadOnlySpan<long> shape, IReadOnlyDictionary<string, object?>? metadata)
    {
        short datatype = NiftiDataTypes.CodeOf(type);
        ArgumentOutOfRangeException.ThrowIfLessThan(shape.Length, 1, nameof(shape));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shape.Length, 7, nameof(shape));
        byte[] header = new byte[NiftiLayout.MinimumDataOffset];
        Span<byte> bytes = header;
        BinaryPrimitives.WriteInt32LittleEndian(bytes, NiftiLayout.HeaderSize);
        bytes[NiftiLayout.Regular] = (byte)'r';

        // Unused dimensions are 1, as nibabel writes them.
        for (int i = 0; i < 8; i++)
        {
            long dim = i == 0 ? shape.Length : i <= shape.Length ? shape[i - 1] : 1;
            ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1, nameof(shape));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(dim, MaxDimension, nameof(shape));
            BinaryPrimitives.WriteInt16LittleEndian(bytes[(NiftiLayout.Dim + (2 * i))..], (short)dim);
            BinaryPrimitives.WriteSingleLittleEndian(bytes[(NiftiLayout.Pixdim + (4 * i))..], 1f);
        }

        if (metadata is not null)
        {
            NiftiMetadata.Write(bytes, metadata);
        }

        BinaryPrimitives.WriteInt16LittleEndian(bytes[NiftiLayout.Datatype..], datatype);
        BinaryPrimitives.WriteInt16LittleEndian(bytes[NiftiLayout.Bitpix..], (short)(type.ItemSize * 8));
        BinaryPrimitives.WriteSingleLittleEndian(bytes[NiftiLayout.VoxOffset..], NiftiLayout.MinimumDataOffset);
        BinaryPrimitives.WriteSingleLittleEndian(bytes[NiftiLayout.SclSlope..], 1f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes[NiftiLayout.SclInter..], 0f);
        "n+1\0"u8.CopyTo(bytes[NiftiLayout.Magic..]);
        return header;
    }
}
