using System.Buffers.Binary;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>Every byte of a NIfTI file is untrusted: a damaged one fails with a message naming the file and the problem.</summary>
public sealed class NiftiCorruptionTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Open_TruncatedNifti_ThrowsBeforeReadingAnything()
    {
        byte[] file = Valid();
        AssertRejected(file[..^1], "the data is truncated");
    }

    [Fact]
    public void Open_TruncatedHeader_Throws() => AssertRejected(Valid()[..200], "348-byte NIfTI-1 header");

    [Fact]
    public void Open_TruncatedNiftiGz_ThrowsBeforeAnythingIsRead()
    {
        string path = Path.Combine(_dir.Root, "big.nii.gz");
        var random = new Random(5);
        byte[] array = new byte[64 * 64 * 16 * 2];
        random.NextBytes(array);
        NiftiFile.Write(path, new MemoryArraySource(array), ElementType.Int16, [64, 64, 16]);
        byte[] gz = File.ReadAllBytes(path);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);

        // Its length is checked by decompressing it once, as a plain file's is by its size, so no destination is asked for.
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NiftiFile.Open(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NiftiGzWithABadChecksum_ThrowsEvenThoughTheDataIsComplete()
    {
        string path = Path.Combine(_dir.Root, "crc.nii.gz");
        NiftiFile.Write(path, new MemoryArraySource(new byte[48]), ElementType.Int16, [4, 3, 2]);
        byte[] gz = File.ReadAllBytes(path);
        gz[^8] ^= 0xFF;
        File.WriteAllBytes(path, gz);

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NiftiFile.Open(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BadSizeofHdr_ThrowsSayingItIsNotNifti1() => AssertRejected(Patch(b => BinaryPrimitives.WriteInt32LittleEndian(b, 349)), "sizeof_hdr is 349");

    [Fact]
    public void Open_Nifti2_ThrowsSayingOnlyNifti1IsSupported() => AssertRejected(Patch(b => BinaryPrimitives.WriteInt32LittleEndian(b, 540)), "NIfTI-2");

    [Fact]
    public void Open_HdrImgPair_ThrowsSayingOnlySingleFilesAreSupported() => AssertRejected(Patch(b => "ni1\0"u8.CopyTo(b[344..])), ".hdr/.img pair");

    [Fact]
    public void Open_BadMagic_Throws() => AssertRejected(Patch(b => "abcd"u8.CopyTo(b[344..])), "magic");

    [Fact]
    public void Open_RgbDatatype_ThrowsNamingTheType() =>
        AssertRejected(Patch(b => { BinaryPrimitives.WriteInt16LittleEndian(b[70..], 128); BinaryPrimitives.WriteInt16LittleEndian(b[72..], 24); }), "datatype 128 (DT_RGB24) is not supported");

    [Fact]
    public void Open_UnknownDatatype_Throws() => AssertRejected(Patch(b => BinaryPrimitives.WriteInt16LittleEndian(b[70..], 3)), "datatype 3 (not a NIfTI-1 code)");

    [Fact]
    public void Open_BitpixInconsistentWithDatatype_Throws() => AssertRejected(Patch(b => BinaryPrimitives.WriteInt16LittleEndian(b[72..], 32)), "bitpix is 32");

    [Fact]
    public void Open_VoxOffsetPastTheEnd_Throws() => AssertRejected(Patch(b => BinaryPrimitives.WriteSingleLittleEndian(b[108..], 4096)), "vox_offset 4096 is past the end");

    [Theory]
    [InlineData(0f)]
    [InlineData(348f)]
    [InlineData(352.5f)]
    [InlineData(float.NaN)]
    public void Open_VoxOffsetInsideTheHeaderOrNotWhole_Throws(float voxOffset) =>
        AssertRejected(Patch(b => BinaryPrimitives.WriteSingleLittleEndian(b[108..], voxOffset)), "vox_offset is");

    [Fact]
    public void Open_DimensionsOverflowing_ThrowsBeforeAllocating() =>
        AssertRejected(Patch(b =>
        {
            BinaryPrimitives.WriteInt16LittleEndian(b[40..], 7);
            for (int i = 1; i <= 7; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(b[(40 + (2 * i))..], short.MaxValue);
            }
        }), "overflow");

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(-1)]
    public void Open_RankOutOfRange_Throws(int rank) => AssertRejected(Patch(b => BinaryPrimitives.WriteInt16LittleEndian(b[40..], (short)rank)), $"dim[0] is {rank}");

    [Fact]
    public void Open_ZeroDimension_Throws() => AssertRejected(Patch(b => BinaryPrimitives.WriteInt16LittleEndian(b[44..], 0)), "dim[2] is 0");

    [Fact]
    public void Open_SlopeWithNonFiniteIntercept_Throws() =>
        AssertRejected(Patch(b => { BinaryPrimitives.WriteSingleLittleEndian(b[112..], 2f); BinaryPrimitives.WriteSingleLittleEndian(b[116..], float.PositiveInfinity); }), "scl_inter");

    [Fact]
    public void Open_CorruptGzipHeaderBytes_Throws()
    {
        string path = Path.Combine(_dir.Root, "bad.nii.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NiftiFile.Open(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_BigEndianPatchedHeader_IsSwappedWhole()
    {
        byte[] file = Valid();
        foreach (NiftiField field in NiftiLayout.Fields)
        {
            ElementBytes.Swap(file.AsSpan(field.Offset, field.Count * field.ElementSize), field.ElementSize);
        }

        ElementBytes.Swap(file.AsSpan(352), 2);
        string path = Path.Combine(_dir.Root, "be.nii");
        File.WriteAllBytes(path, file);
        using NiftiReader reader = NiftiFile.Open(path);
        var copy = new byte[48];
        reader.ReadInto(new MemoryArrayDestination(copy));

        Assert.True(reader.BigEndian);
        Assert.Equal([4L, 3, 2], reader.Shape);
        Assert.Equal(new[] { 1.0, 1, 1, 1, 1, 1, 1, 1 }, Assert.IsType<double[]>(reader.Metadata["nifti.pixdim"]));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (short)(i - 12)), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(copy).ToArray());
    }

    /// <summary>A valid 4x3x2 int16 .nii holding i - 12 at C-order index i.</summary>
    private byte[] Valid()
    {
        byte[] array = new byte[48];
        for (int i = 0; i < 24; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(array.AsSpan(i * 2), (short)(i - 12));
        }

        string path = Path.Combine(_dir.Root, "valid.nii");
        NiftiFile.Write(path, new MemoryArraySource(array), ElementType.Int16, [4, 3, 2]);
        return File.ReadAllBytes(path);
    }

    private byte[] Patch(SpanAction change)
    {
        byte[] file = Valid();
        change(file);
        return file;
    }

    private void AssertRejected(byte[] file, string problem)
    {
        string path = Path.Combine(_dir.Root, "bad.nii");
        File.WriteAllBytes(path, file);
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NiftiFile.Open(path));
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    private delegate void SpanAction(Span<byte> header);
}
