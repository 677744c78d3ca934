using System.Runtime.InteropServices;
using System.Text.Json;
using Osipy.MappedCache.Cli.Formats;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>NIfTI-1 files written by nibabel read back with nibabel's shape and values, index for index.</summary>
public sealed class NiftiReadTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Read_NiftiGzWrittenByNibabel_MatchesNibabelValueByValue()
    {
        string path = Path.Combine(_dir.Root, "dce.nii.gz"), expected = Path.Combine(_dir.Root, "dce_expected.npy");
        string json = FormatsPython.Nibabel(NiftiScripts.WriteScaledInt16Gz, path, expected);

        using NiftiReader reader = NiftiFile.Open(path);
        Assert.True(reader.Compressed);
        Assert.True(reader.ScalingApplied);
        Assert.Equal(ElementType.Int16, reader.StoredElementType);
        Assert.Equal(ElementType.Float64, reader.ElementType); // nibabel's dtype for scaled data
        Assert.Equal([7L, 5, 3, 4], reader.Shape);
        var progress = new RecordingProgress();
        double[] ours = MemoryMarshal.Cast<byte, double>(Read(reader, progress)).ToArray();
        Assert.Equal(reader.StoredByteLength, progress.Reports[^1]);
        Assert.Equal(ReadNpy<double>(expected), ours);

        AssertMetadataMatchesNibabel(reader.Metadata, json);
        Assert.Equal(0.5, reader.Metadata["nifti.scl_slope"]);
        Assert.Equal(10.0, reader.Metadata["nifti.scl_inter"]);
    }

    [Fact]
    public void Read_NiftiWrittenByNibabel_MatchesNibabelValueByValue()
    {
        string path = Path.Combine(_dir.Root, "t1.nii"), expected = Path.Combine(_dir.Root, "t1_expected.npy");
        string json = FormatsPython.Nibabel(NiftiScripts.WriteFloat32, path, expected);

        using NiftiReader reader = NiftiFile.Open(path);
        Assert.False(reader.Compressed);
        Assert.False(reader.ScalingApplied);
        Assert.Equal(ElementType.Float32, reader.ElementType);
        Assert.Equal([9L, 8, 7], reader.Shape);
        Assert.Equal(ReadNpy<float>(expected), MemoryMarshal.Cast<byte, float>(Read(reader)).ToArray());
        AssertMetadataMatchesNibabel(reader.Metadata, json);

        // nibabel writes unscaled data with the identity, which is not applied.
        Assert.Equal(1.0, reader.Metadata["nifti.scl_slope"]);
        Assert.Equal(0.0, reader.Metadata["nifti.scl_inter"]);
    }

    [Fact]
    public void Read_EveryDatatypeAndByteOrderWrittenByNibabel_MatchesNibabel()
    {
        string output = FormatsPython.Nibabel(NiftiScripts.WriteEveryDatatype, _dir.Root);
        string[] names = output.Split(' ', StringSplitOptions.TrimEntries);
        Assert.Equal(22, names.Length);
        foreach (string name in names)
        {
            using NiftiReader reader = NiftiFile.Open(Path.Combine(_dir.Root, name + ".nii"));
            using NpyReader expected = NpyFile.Open(Path.Combine(_dir.Root, name + ".npy"));
            byte[] theirs = new byte[expected.ByteLength];
            expected.ReadInto(new MemoryArrayDestination(theirs));

            Assert.Equal(name.EndsWith("_be", StringComparison.Ordinal), reader.BigEndian);
            Assert.Equal(expected.ElementType, reader.ElementType);
            Assert.Equal(expected.Shape, reader.Shape);
            Assert.True(theirs.AsSpan().SequenceEqual(Read(reader)), $"{name}: values differ from nibabel's");
        }
    }

    private static byte[] Read(NiftiReader reader, IProgress<long>? progress = null)
    {
        var destination = new MemoryArrayDestination(new byte[reader.ByteLength]);
        reader.ReadInto(destination, progress);
        return destination.Bytes;
    }

    private static T[] ReadNpy<T>(string path)
        where T : unmanaged
    {
        using NpyReader reader = NpyFile.Open(path);
        var bytes = new byte[reader.ByteLength];
        reader.ReadInto(new MemoryArrayDestination(bytes));
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    /// <summary>Compares the reader's metadata with the header fields the script printed as JSON.</summary>
    private static void AssertMetadataMatchesNibabel(IReadOnlyDictionary<string, object?> metadata, string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        foreach (JsonProperty field in document.RootElement.EnumerateObject())
        {
            object? ours = metadata[$"nifti.{field.Name}"];
            switch (field.Value.ValueKind)
            {
                case JsonValueKind.String:
                    Assert.Equal(field.Value.GetString(), ours);
                    break;
                case JsonValueKind.Array:
                    Assert.Equal(field.Value.EnumerateArray().Select(e => e.GetDouble()), Assert.IsType<double[]>(ours));
                    break;
                default:
                    Assert.Equal(field.Value.GetDouble(), Convert.ToDouble(ours, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }
    }
}
