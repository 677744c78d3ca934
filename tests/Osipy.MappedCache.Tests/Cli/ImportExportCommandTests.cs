using System.Text.Json;
using Osipy.MappedCache.Tests.Formats;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// <c>osipy-cache import</c> and <c>export</c> against files nibabel and numpy write and read: the
/// values, shapes and NIfTI header fields survive, Fortran-ordered data is reordered, and a damaged
/// file is a clear failure that leaves nothing in the cache.
/// </summary>
public sealed class ImportExportCommandTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Work(string name) => Path.Combine(_dir.Root, name);

    [Fact]
    public void Import_4DInt16NiftiGzWithScaling_HoldsNibabelsScaledValues_AndItsHeaderFields()
    {
        FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            data = (np.arange(6 * 5 * 4 * 3) % 300 - 50).astype(np.int16).reshape(6, 5, 4, 3)
            img = nib.Nifti1Image(data, np.diag([1.5, 1.5, 3.0, 1.0]))
            img.header.set_slope_inter(0.5, 10)
            img.header.set_zooms((1.5, 1.5, 3.0, 2.4))
            img.header.set_xyzt_units('mm', 'sec')
            nib.save(img, sys.argv[1])
            np.save(sys.argv[2], np.asanyarray(nib.load(sys.argv[1]).dataobj))
            """,
            Work("dce.nii.gz"), Work("expected.npy"));

        JsonElement imported = OsipyCacheTool.Json("import", Work("dce.nii.gz"), "--type", "dce", "--key", "subject-01", "--cache-dir", _dir.CachePath);
        Assert.Equal("float64", imported.GetProperty("dtype").GetString()); // nibabel's dtype for scaled data
        Assert.True(imported.GetProperty("scaled").GetBoolean());
        Assert.Equal([6, 5, 4, 3], imported.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        OsipyCacheTool.Json("import", Work("expected.npy"), "--type", "expected", "--key", "subject-01", "--cache-dir", _dir.CachePath);

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<double> got = cache.Get<double>("dce", "subject-01")!;
        using MappedArray<double> expected = cache.Get<double>("expected", "subject-01")!;
        Assert.Equal(expected.ReadOnlySpan.ToArray(), got.ReadOnlySpan.ToArray()); // value by value, in nibabel's index order
        Assert.Equal([6, 5, 4, 3], got.Shape);
        object?[] pixdim = (object?[])got.Entry.Metadata["nifti.pixdim"]!;
        Assert.Equal([1.5, 1.5, 3.0, 2.4], pixdim.Skip(1).Take(4).Select(v => Math.Round(Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture), 4)));
        Assert.Equal("dce.nii.gz", got.Entry.Metadata["source"]);
    }

    [Fact]
    public void ExportToNiftiAndBack_NibabelReadsTheSameValuesShapeAndZooms()
    {
        FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            data = np.linspace(-1, 1, 9 * 8 * 7, dtype=np.float32).reshape(9, 8, 7)
            img = nib.Nifti1Image(data, np.diag([0.9, 0.9, 2.5, 1.0]))
            img.header.set_zooms((0.9, 0.9, 2.5))
            nib.save(img, sys.argv[1])
            """,
            Work("t1.nii"));
        OsipyCacheTool.Json("import", Work("t1.nii"), "--type", "t1_map", "--key", "k", "--cache-dir", _dir.CachePath);

        foreach (string name in new[] { "out.nii", "out.nii.gz" })
        {
            JsonElement exported = OsipyCacheTool.Json("export", "t1_map", "k", Work(name), "--cache-dir", _dir.CachePath);
            Assert.Equal("nifti1", exported.GetProperty("format").GetString());
            string check = FormatsPython.Nibabel(
                """
                import sys, numpy as np, nibabel as nib
                a, b = nib.load(sys.argv[1]), nib.load(sys.argv[2])
                assert a.shape == b.shape == (9, 8, 7), (a.shape, b.shape)
                assert np.array_equal(np.asanyarray(a.dataobj), np.asanyarray(b.dataobj))
                assert np.allclose(a.header.get_zooms(), b.header.get_zooms()), (a.header.get_zooms(), b.header.get_zooms())
                assert b.get_data_dtype() == np.float32
                print("same")
                """,
                Work("t1.nii"), Work(name));
            Assert.Equal("same", check.Trim());
        }
    }

    [Fact]
    public void NpyInAnyOrderAndDtype_ImportsAsNumpySeesIt_AndExportsBackToNumpy()
    {
        FormatsPython.Numpy(
            """
            import sys, numpy as np
            np.save(sys.argv[1], np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4)))
            np.save(sys.argv[2], (np.arange(12) % 5 == 0).reshape(3, 4))
            np.save(sys.argv[3], (np.arange(6) + 1j * np.arange(6)[::-1]).astype(np.complex64).reshape(2, 3))
            """,
            Work("fortran.npy"), Work("mask.npy"), Work("recon.npy"));
        foreach (string name in new[] { "fortran", "mask", "recon" })
        {
            OsipyCacheTool.Json("import", Work(name + ".npy"), "--type", "npy", "--key", name, "--cache-dir", _dir.CachePath);
            OsipyCacheTool.Json("export", "npy", name, Work(name + ".out.npy"), "--cache-dir", _dir.CachePath);
        }

        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        using (MappedArray<double> fortran = cache.Get<double>("npy", "fortran")!)
        using (MappedArray<bool> mask = cache.Get<bool>("npy", "mask")!)
        using (MappedArray<Complex64> recon = cache.Get<Complex64>("npy", "recon")!)
        {
            Assert.Equal(Enumerable.Range(0, 24).Select(i => (double)i), fortran.ReadOnlySpan.ToArray()); // C order now
            Assert.Equal(Enumerable.Range(0, 12).Select(i => i % 5 == 0), mask.ReadOnlySpan.ToArray());
            Assert.Equal(new Complex64(1, 4), recon.ReadOnlySpan[1]);
        }

        string check = FormatsPython.Numpy(
            """
            import sys, numpy as np
            for name in ("fortran", "mask", "recon"):
                a, b = np.load(sys.argv[1] + "/" + name + ".npy"), np.load(sys.argv[1] + "/" + name + ".out.npy")
                assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), name
            print("same")
            """,
            _dir.Root);
        Assert.Equal("same", check.Trim());
    }

    [Fact]
    public void ATruncatedOrCorruptFile_FailsWithTheReason_AndLeavesNothingBehind()
    {
        FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            data = np.arange(20 * 20 * 20, dtype=np.float32).reshape(20, 20, 20)
            nib.save(nib.Nifti1Image(data, np.eye(4)), sys.argv[1])
            nib.save(nib.Nifti1Image(data, np.eye(4)), sys.argv[2])
            np.save(sys.argv[3], data)
            """,
            Work("whole.nii"), Work("whole.nii.gz"), Work("whole.npy"));
        Truncate(Work("whole.nii"), Work("short.nii"));
        Truncate(Work("whole.nii.gz"), Work("short.nii.gz"));
        Truncate(Work("whole.npy"), Work("short.npy"));
        byte[] corrupt = File.ReadAllBytes(Work("whole.nii"));
        corrupt[70] = 99; // datatype: no such code
        File.WriteAllBytes(Work("corrupt.nii"), corrupt);

        foreach (string name in new[] { "short.nii", "short.nii.gz", "short.npy", "corrupt.nii" })
        {
            (int exit, _, string error) = OsipyCacheTool.Run("import", Work(name), "--type", "t", "--key", name, "--cache-dir", _dir.CachePath);
            Assert.True(exit == 1, $"{name}: exit {exit}, {error}");
            Assert.Contains(name, error); // the message names the file and what is wrong
            Assert.DoesNotContain("   at ", error); // a message, not a stack trace
        }

        // Every file was found bad before the cache was opened, so not even the directory was created.
        Assert.False(Directory.Exists(_dir.CachePath));
    }

    [Fact]
    public void AnImport_ReportsProgressAsPlainLinesWhenRedirected()
    {
        FormatsPython.Numpy("import sys, numpy as np; np.save(sys.argv[1], np.zeros((64, 64, 64), np.float32))", Work("zeros.npy"));

        (int exit, _, string error) = OsipyCacheTool.Run("import", Work("zeros.npy"), "--type", "t", "--key", "k", "--cache-dir", _dir.CachePath);

        Assert.Equal(0, exit);
        Assert.Contains("import: 100% (1.0 MiB of 1.0 MiB", error);
        Assert.DoesNotContain("\u001b[", error);
    }

    private static void Truncate(string from, string to)
    {
        byte[] bytes = File.ReadAllBytes(from);
        File.WriteAllBytes(to, bytes[..(bytes.Length * 2 / 3)]);
    }
}
