using Osipy.MappedCache.Tests.Formats;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// A map derived from an imported series keeps the series' geometry: put with the source entry's
/// <see cref="CacheEntry.Geometry"/>, it exports to NIfTI with the source's affine and zooms.
/// </summary>
public sealed class DerivedGeometryTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Work(string name) => Path.Combine(_dir.Root, name);

    [Fact]
    public void AMapPutWithTheSeriesGeometry_ExportsWithTheSeriesAffine()
    {
        FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            affine = np.array([[0.0, -0.9, 0.0, 110.0], [0.0, 0.0, 2.5, -40.0], [-0.9, 0.0, 0.0, 95.0], [0, 0, 0, 1]])
            img = nib.Nifti1Image(np.ones((6, 5, 4, 3), np.int16), affine)
            img.header.set_xyzt_units("mm", "sec")
            img.set_qform(affine, code=1)
            img.set_sform(affine, code=2)
            nib.save(img, sys.argv[1])
            """,
            Work("dce.nii.gz"));
        OsipyCacheTool.Json("import", Work("dce.nii.gz"), "--type", "dce", "--key", "sub-01", "--cache-dir", _dir.CachePath);

        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            IReadOnlyDictionary<string, object?> geometry = cache.GetEntry("dce", "sub-01")!.Geometry;
            Assert.Contains("nifti.srow_x", geometry.Keys);
            Assert.DoesNotContain("nifti.stored_datatype", geometry.Keys);
            var t1 = new float[6, 5, 4];
            cache.Put("t1_map", "sub-01", t1, new Dictionary<string, object?>(geometry) { ["method"] = "vfa" });
        }

        OsipyCacheTool.Json("export", "t1_map", "sub-01", Work("t1.nii.gz"), "--cache-dir", _dir.CachePath);
        string check = FormatsPython.Nibabel(
            """
            import sys, numpy as np, nibabel as nib
            src, t1 = nib.load(sys.argv[1]), nib.load(sys.argv[2])
            assert t1.shape == (6, 5, 4), t1.shape
            assert np.allclose(src.affine, t1.affine), (src.affine, t1.affine)
            assert int(t1.header["sform_code"]) == 2 and int(t1.header["qform_code"]) == 1
            assert t1.header.get_xyzt_units() == ("mm", "sec"), t1.header.get_xyzt_units()
            print("same affine")
            """,
            Work("dce.nii.gz"), Work("t1.nii.gz"));
        Assert.Equal("same affine", check.Trim());
    }
}
