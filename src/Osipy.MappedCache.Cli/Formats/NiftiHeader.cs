using System.Buffers.Binary;

namespace Osipy.MappedCache.Cli.Formats;

/// <summary>
/// A checked NIfTI-1 single-file header. Its bytes are kept in little-endian order whatever the file's,
/// so every field is read one way (<see cref="NiftiLayout.Fields"/> says where).
/// </summary>
/// <remarks>Immutable once parsed; thread-safe.</remarks>
internal sealed class NiftiHeader
{
    private const int Nifti2HeaderSize = 540;

    private readonly byte[] _bytes;

    private NiftiHeader(byte[] littleEndian, bool bigEndian, ElementType stored, long[] shape, long storedByteLength, long dataOffset)
    {
        _bytes = littleEndian;
        BigEndian = bigEndian;
        StoredType = stored;
        Shape = shape;
        StoredByteLength = storedByteLength;
        DataOffset = dataOffset;
    }

    /// <summary>Whether the file (header and data) is big-endian.</summary>
    public bool BigEndian { get; }

    public ElementType StoredType { get; }

    /// <summary>(dim[1], …, dim[dim[0]]): nibabel's shape, first index fastest in the file.</summary>
    public long[] Shape { get; }

    public long StoredByteLength { get; }

    /// <summary>vox_offset, where the data starts.</summary>
    public long DataOffset { get; }

    /// <summary>The header bytes, little-endian.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public float SclSlope => BinaryPrimitives.ReadSingleLittleEndian(_bytes.AsSpan(NiftiLayout.SclSlope));

    public float SclInter => BinaryPrimitives.ReadSingleLittleEndian(_bytes.AsSpan(NiftiLayout.SclInter));

    /// <summary>Checks the first 348 bytes of a file, in order: size, magic, dimensions, type, bit count, offset.</summary>
    /// <exception cref="InvalidDataException">The header is not a supported NIfTI-1 single-file header; the message says why.</exception>
    public static NiftiHeader Parse(ReadOnlySpan<byte> header, string path)
    {
        byte[] bytes = header[..NiftiLayout.HeaderSize].ToArray();
        int size = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        bool bigEndian = BinaryPrimitives.ReverseEndianness(size) == NiftiLayout.HeaderSize;
        if (size != NiftiLayout.HeaderSize && !bigEndian)
        {
            bool nifti2 = size == Nifti2HeaderSize || BinaryPrimitives.ReverseEndianness(size) == Nifti2HeaderSize;
            throw InvalidFile.Exception(path, nifti2 ? "this is a NIfTI-2 file (sizeof_hdr 540); only NIfTI-1 is supported"
                : $"sizeof_hdr is {size} (0x{size:x8}), not 348 in either byte order: not a NIfTI-1 file");
        }

        if (bigEndian)
        {
            foreach (NiftiField field in NiftiLayout.Fields)
            {
                ElementBytes.Swap(bytes.AsSpan(field.Offset, field.Count * field.ElementSize), field.ElementSize);
            }
        }

        ReadOnlySpan<byte> magic = bytes.AsSpan(NiftiLayout.Magic, 4);
        if (magic.SequenceEqual("ni1\0"u8))
        {
            throw InvalidFile.Exception(path, "this is the header of a NIfTI-1 .hdr/.img pair (magic 'ni1'); only single-file .nii and .nii.gz are supported");
        }

        if (!magic.SequenceEqual("n+1\0"u8))
        {
            throw InvalidFile.Exception(path, $"the magic is {Convert.ToHexString(magic)}, not 'n+1\\0' (6E2B3100): not a NIfTI-1 single file");
        }

        long[] shape = ReadShape(bytes, path);
        short datatype = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(NiftiLayout.Datatype));
        ElementType stored = NiftiDataTypes.TypeOf(datatype)
            ?? throw InvalidFile.Exception(path, $"datatype {NiftiDataTypes.Describe(datatype)} is not supported (only {NiftiDataTypes.Supported})");
        short bitpix = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(NiftiLayout.Bitpix));
        if (bitpix != stored.ItemSize * 8)
        {
            throw InvalidFile.Exception(path, $"bitpix is {bitpix} but datatype {NiftiDataTypes.Describe(datatype)} has {stored.ItemSize * 8} bits per voxel");
        }

        if (!ArrayShape.TryGetLength(shape, stored.ItemSize, out _, out long byteLength))
        {
            throw InvalidFile.Exception(path, $"the dimensions {ArrayShape.Format(shape)} of {stored.Name} overflow a 64-bit byte count");
        }

        float voxOffset = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(NiftiLayout.VoxOffset));
        if (!(voxOffset >= NiftiLayout.MinimumDataOffset) || voxOffset >= long.MaxValue || voxOffset != MathF.Floor(voxOffset))
        {
            throw InvalidFile.Exception(path, $"vox_offset is {voxOffset}; a single-file NIfTI-1's data starts at a whole byte offset of 352 or more");
        }

        return new NiftiHeader(bytes, bigEndian, stored, shape, byteLength, (long)voxOffset);
    }

    private static long[] ReadShape(byte[] bytes, string path)
    {
        short rank = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(NiftiLayout.Dim));
        if (rank is < 1 or > 7)
        {
            throw InvalidFile.Exception(path, $"dim[0] is {rank}; the number of dimensions must be 1 to 7");
        }

        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(NiftiLayout.Dim + (2 * (i + 1))));
            if (shape[i] < 1)
            {
                throw InvalidFile.Exception(path, $"dim[{i + 1}] is {shape[i]}; every used dimension must be at least 1");
            }
        }

        return shape;
    }
}
