using System.Globalization;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>
/// scl_slope/scl_inter give nibabel's array: the dtype and every value of
/// <c>np.asanyarray(img.dataobj)</c>, so a slope that overflows float32 gives nibabel's finite
/// float64 values, not infinities.
/// </summary>
public sealed class NiftiScalingTests : IDisposable
{
    /// <summary>
    /// Writes a 4x3x2 .nii of the dtype with the slope and intercept set field by field (nibabel's own
    /// save would recompute them); integer data spans its type's whole range. Saves what nibabel reads
    /// (complex data viewed as float64 pairs, which .npy here cannot hold) and prints its dtype.
    /// </summary>
    private const string WriteScaled = """
        import sys, numpy as np, nibabel as nib
        path, expected, dt, slope, inter = sys.argv[1], sys.argv[2], np.dtype(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
        if dt.kind == 'c':
            raw = (np.arange(24) - 12.5 + 1j * np.arange(24)).astype(dt)
        elif dt.kind == 'f':
            raw = (np.arange(24) - 12.5).astype(dt)
        else:
            raw = np.linspace(np.iinfo(dt).min, np.iinfo(dt).max, 24).astype(dt)
        raw = raw.reshape(4, 3, 2)
        h = nib.Nifti1Header()
        h.set_data_dtype(dt)
        h.set_data_shape(raw.shape)
        h['scl_slope'], h['scl_inter'], h['vox_offset'] = slope, inter, 352
        with open(path, 'wb') as f:
            f.write(h.binaryblock + b'\0' * 4 + raw.astype(dt.newbyteorder('<')).tobytes(order='F'))
        data = np.asanyarray(nib.load(path).dataobj)
        np.save(expected, np.ascontiguousarray(data).view(np.float64) if data.dtype.kind == 'c' else data)
        print(data.dtype.name)
        """;

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("int16", 3e38, 0.0)]
    [InlineData("int16", 2.0, 1.0)]
    [InlineData("float32", 2.0, 0.0)]
    [InlineData("uint8", 0.5, -1.0)]
    [InlineData("int8", 1.0, 1.0)]
    [InlineData("complex64", 2.0, 1.0)]
    public void Read_ScaledData_HasNibabelsDtypeAndValues(string dtype, double slope, double inter)
    {
        string path = Path.Combine(_dir.Root, "scaled.nii"), expected = Path.Combine(_dir.Root, "expected.npy");
        string theirType = FormatsPython.Nibabel(
            WriteScaled, path, expected, dtype, slope.ToString("R", CultureInfo.InvariantCulture), inter.ToString("R", CultureInfo.InvariantCulture)).Trim();

        using NiftiReader reader = NiftiFile.Open(path);
        Assert.True(reader.ScalingApplied);
        Assert.Equal(theirType, reader.ElementType.Name);
        var ours = new MemoryArrayDestination(new byte[reader.ByteLength]);
        reader.ReadInto(ours);

        using NpyReader theirs = NpyFile.Open(expected);
        var theirBytes = new MemoryArrayDestination(new byte[theirs.ByteLength]);
        theirs.ReadInto(theirBytes);
        Assert.Equal(theirBytes.Bytes, ours.Bytes); // bit for bit, in nibabel's index order
        Assert.All(
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(ours.Bytes).ToArray(),
            value => Assert.True(double.IsFinite(value), $"{value} is not finite"));
    }
}
