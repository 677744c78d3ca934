using System.Buffers.Binary;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>NIfTI-1 files we write load in nibabel with the same values, shape and header fields.</summary>
public sealed class NiftiWriteTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("volume.nii")]
    [InlineData("volume.nii.gz")]
    public void Write_Float32Volume_NibabelReadsTheSameValuesShapeAndPixdim(string name)
    {
        long[] shape = [9, 8, 7];
        byte[] array = new byte[9 * 8 * 7 * 4];
        for (int i = 0; i < array.Length / 4; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(array.AsSpan(i * 4), (i * 0.25f) - 3f);
        }

        string path = Path.Combine(_dir.Root, name), expected = Path.Combine(_dir.Root, "expected.bin");
        File.WriteAllBytes(expected, array);
        var metadata = new Dictionary<string, object?>
        {
            ["nifti.pixdim"] = new[] { 1.0, 1.5, 2.0, 3.0, 1, 1, 1, 1 },
            ["nifti.xyzt_units"] = 10L,
            ["nifti.descrip"] = "written by osipy-cache",
            ["unrelated.key"] = "ignored",
        };
        var progress = new RecordingProgress();
        NiftiFile.Write(path, new MemoryArraySource(array), ElementType.Float32, shape, metadata, progress);

        Assert.Equal(array.Length, progress.Reports[^1]);
        Assert.Equal(name.EndsWith(".gz", StringComparison.Ordinal), File.ReadAllBytes(path) is [0x1f, 0x8b, ..]);
        Assert.Equal("ok", FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            img = nib.load(sys.argv[1])
            data = np.asanyarray(img.dataobj)
            expected = np.fromfile(sys.argv[2], dtype='<f4').reshape(9, 8, 7)
            assert img.shape == (9, 8, 7) and data.dtype == np.float32, (img.shape, data.dtype)
            assert np.array_equal(data, expected)
            assert img.header.get_zooms() == (1.5, 2.0, 3.0), img.header.get_zooms()
            assert img.header.get_xyzt_units() == ('mm', 'sec'), img.header.get_xyzt_units()
            assert img.header['descrip'].item() == b'written by osipy-cache'
            assert img.dataobj.slope == 1 and img.dataobj.inter == 0
            assert img.header['vox_offset'] in (0, 352) and img.header['magic'].item() == b'n+1'
            print('ok')
            """,
            path, expected).Trim());
    }

    [Fact]
    public void Write_AfterImportWithScaling_WritesTheScaledFloat64ValuesAndKeepsTheHeader()
    {
        string original = Path.Combine(_dir.Root, "dce.nii.gz"), exported = Path.Combine(_dir.Root, "dce_export.nii.gz");
        FormatsPython.Nibabel(NiftiScripts.WriteScaledInt16Gz, original, Path.Combine(_dir.Root, "unused.npy"));
        using (NiftiReader reader = NiftiFile.Open(original))
        {
            var array = new byte[reader.ByteLength];
            reader.ReadInto(new MemoryArrayDestination(array));

            // As the cache would keep it: through its JSON metadata, where 2.0 comes back as 2L and arrays as object[].
            IReadOnlyDictionary<string, object?> metadata = MetadataJson.Deserialize(MetadataJson.Serialize(reader.Metadata));
            Assert.IsType<object?[]>(metadata["nifti.pixdim"]);
            NiftiFile.Write(exported, new MemoryArraySource(array), reader.ElementType, [.. reader.Shape], metadata);
        }

        Assert.Equal("ok", FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])
            da, db = np.asanyarray(a.dataobj), np.asanyarray(b.dataobj)
            assert db.dtype == np.float64 and db.shape == da.shape == (7, 5, 3, 4)
            assert np.array_equal(db, da)
            assert b.dataobj.slope == 1 and b.dataobj.inter == 0
            assert np.array_equal(a.header['pixdim'], b.header['pixdim']), (a.header['pixdim'], b.header['pixdim'])
            assert np.allclose(a.affine, b.affine) and np.array_equal(a.header.get_qform(), b.header.get_qform())
            assert np.array_equal(a.header.get_sform(), b.header.get_sform())
            assert int(b.header['qform_code']) == 1 and int(b.header['sform_code']) == 2
            assert a.header.get_xyzt_units() == b.header.get_xyzt_units() == ('mm', 'sec')
            assert b.header['descrip'].item() == b'osipy DCE test' and float(b.header['toffset']) == 1.25
            print('ok')
            """,
            original, exported).Trim());
    }

    [Fact]
    public void Write_Int16FourDimensions_NibabelReadsInt16WithoutScaling()
    {
        long[] shape = [6, 5, 4, 3];
        byte[] array = new byte[6 * 5 * 4 * 3 * 2];
        for (int i = 0; i < array.Length / 2; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(array.AsSpan(i * 2), (short)((i * 401) - 30000));
        }

        string path = Path.Combine(_dir.Root, "dce.nii"), expected = Path.Combine(_dir.Root, "expected.bin");
        File.WriteAllBytes(expected, array);
        NiftiFile.Write(path, new MemoryArraySource(array), ElementType.Int16, shape);

        Assert.Equal("ok", FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            img = nib.load(sys.argv[1])
            data = np.asanyarray(img.dataobj)
            assert data.dtype == np.int16 and img.shape == (6, 5, 4, 3)
            assert np.array_equal(data, np.fromfile(sys.argv[2], dtype='<i2').reshape(6, 5, 4, 3))
            assert list(img.header['pixdim']) == [1.0] * 8
            print('ok')
            """,
            path, expected).Trim());
    }

    [Theory]
    [InlineData("|b1")]
    [InlineData("<f2")]
    public void Write_TypeNiftiCannotStore_ThrowsAndLeavesNoFile(string descr)
    {
        string path = Path.Combine(_dir.Root, "x.nii");
        Assert.Throws<ArgumentException>(() => NiftiFile.Write(path, new MemoryArraySource(new byte[8]), ElementType.FromDescr(descr), [4]));
        Assert.Empty(Directory.GetFiles(_dir.Root));
    }

    [Fact]
    public void Write_MetadataOfTheWrongKind_ThrowsNamingTheKey()
    {
        var metadata = new Dictionary<string, object?> { ["nifti.pixdim"] = new[] { 1.0, 2.0 } };
        ArgumentException ex = Assert.Throws<ArgumentException>(
            () => NiftiFile.Write(Path.Combine(_dir.Root, "x.nii"), new MemoryArraySource(new byte[4]), ElementType.Float32, [1], metadata));
        Assert.Contains("nifti.pixdim", ex.Message, StringComparison.Ordinal);
    }
}
