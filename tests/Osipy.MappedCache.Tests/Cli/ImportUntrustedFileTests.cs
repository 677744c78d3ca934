using System.Buffers.Binary;
using System.Text;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// <c>osipy-cache import</c> trusts nothing a file says: what a header holds is printed safely, and
/// what it claims is checked against the data before anything is reserved for it.
/// </summary>
public sealed class ImportUntrustedFileTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Work(string name) => Path.Combine(_dir.Root, name);

    [Fact]
    public void Import_OfAnNpyWhoseDescrHoldsANul_PrintsItEscaped_NeverRawControlCharacters()
    {
        byte[] text = Encoding.Latin1.GetBytes("{'descr': '<f4\0\u001b[2J', 'fortran_order': False, 'shape': (2,), }".PadRight(117) + "\n");
        byte[] file = new byte[10 + text.Length + 8];
        Encoding.Latin1.GetBytes("\u0093NUMPY\u0001\u0000").CopyTo(file, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)text.Length);
        text.CopyTo(file, 10);
        File.WriteAllBytes(Work("nul.npy"), file);

        (int exit, string output, string error) = OsipyCacheTool.Run("import", Work("nul.npy"), "--type", "t", "--key", "k", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, error + output);
        Assert.Contains(@"the dtype '<f4\0\x1b[2J' is not supported", error, StringComparison.Ordinal);
        Assert.DoesNotContain(error.TrimEnd('\n'), char.IsControl);
    }

    [Fact]
    public void Import_OfATinyNiftiGzClaiming16GiB_FailsNamingTheFileAndTheHeaderFields_AndReservesNothing()
    {
        Formats.FormatsPython.Nibabel(
            """
            import sys, gzip, numpy as np, nibabel as nib
            h = nib.Nifti1Header()
            h.set_data_dtype(np.float32)
            h.set_data_shape((2048, 2048, 1024))
            h['vox_offset'] = 352
            with gzip.open(sys.argv[1], 'wb') as f:
                f.write(h.binaryblock + b'\0' * 4 + np.ones(1000, np.float32).tobytes())
            """,
            Work("claims-16GiB.nii.gz"));

        (int exit, string output, string error) = OsipyCacheTool.Run("import", Work("claims-16GiB.nii.gz"), "--type", "dce", "--key", "k", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 1, error + output);
        Assert.Contains(Work("claims-16GiB.nii.gz") + ": the data is truncated: dim (2048, 2048, 1024) of float32", error, StringComparison.Ordinal);
        Assert.Contains("vox_offset 352", error, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);
        Assert.DoesNotContain(_dir.CachePath, error, StringComparison.Ordinal);
        string[] large = Directory.Exists(_dir.CachePath)
            ? [.. Directory.EnumerateFiles(_dir.CachePath, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length > 4 << 20)]
            : [];
        Assert.Empty(large);
        Assert.Empty(_dir.SegmentFiles());
    }
}
