using System.Globalization;
using Osipy.MappedCache.Cli.Synthesis;
using Osipy.MappedCache.Format;
using Osipy.MappedCache.Tests.Formats;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;

namespace Osipy.MappedCache.Tests.Compression;

/// <summary>
/// Raw copies are a bounded cache of decompressions, not data (CacheConfig.RawCopyBudgetMb):
/// beyond the budget the least recently used go, when a session opens or ends, never one a live
/// process maps; so a compressed entry costs its compressed file plus at most the budget.
/// </summary>
public sealed class RawCopyBudgetTests : IDisposable
{
    private const int Elements = 700_000; // 2.8 MB: a raw copy of about 2.8 MB

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AfterTheWriterEnds_NoCopyStaysBeyondTheBudget_AndTheEntryFilesCompressAtLeastAsWellAsZarr()
    {
        // The medium series of the benchmarks: 128×128×32×60 float32, 126 MB.
        var size = new VolumeSize(128, 128, 32, 60);
        float[] series = new SyntheticDce(new Phantom(size)).Concentration();
        int[] shape = [size.X, size.Y, size.Z, size.T];
        long bytes = (long)series.Length * sizeof(float);

        using (var writer = new IntermediateCache(Config(budgetMb: 0)))
        {
            writer.Put<float>("dce", "sub-01", series, shape);
            Assert.NotEmpty(RawCopies()); // the writer kept its copy while it lived
        }

        Assert.Empty(RawCopies());
        double ours = bytes / (double)EntryFileBytes();
        double zarr = ZarrRatio(series, shape);
        Assert.True(ours >= zarr, $"on-disk ratio {ours:F3} (entry files) is below zarr/Blosc's {zarr:F3}");
        using var reader = new IntermediateCache(Config(budgetMb: 0));
        using MappedArray<float> again = reader.Get<float>("dce", "sub-01")!;
        Assert.True(again.ReadOnlySpan.SequenceEqual(series));
    }

    [Fact]
    public void ACopyAnotherProcessMaps_StaysBeyondTheBudget_UntilThatProcessLetsGo()
    {
        float[] data = Put("k", stamp: 1);
        using var child = ChildProcess.Start("get-compressed", _dir.CachePath, "k");
        child.WaitForLine("got ");

        new IntermediateCache(Config(budgetMb: 0)).Dispose(); // opens and ends: trims twice

        Assert.Single(RawCopies());
        child.Send("end");
        Assert.Equal(0, child.WaitForExit());

        using var next = new IntermediateCache(Config(budgetMb: 0)); // trims when it opens
        Assert.Empty(RawCopies());
        using MappedArray<float> view = next.Get<float>("z", "k")!; // decompressed again on demand
        Assert.Equal(data, view.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void OverTheBudget_TheLeastRecentlyUsedCopiesGoFirst()
    {
        var clock = new ManualClock();
        foreach (string key in new[] { "a", "b", "c" })
        {
            Put(key, stamp: key[0], clock);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        using (var reader = new IntermediateCache(Config(budgetMb: 64), clock, logger: null))
        {
            reader.Get<float>("z", "a")!.Dispose(); // now "b" is the least recently used
        }

        Assert.Equal(3, RawCopies().Length);
        new IntermediateCache(Config(budgetMb: 6), clock, logger: null).Dispose(); // room for two of the 2.8 MB copies

        Assert.Equal(
            new HashSet<string> { SegmentPaths.RawCopy(_dir.CachePath, "z", "a"), SegmentPaths.RawCopy(_dir.CachePath, "z", "c") },
            RawCopies().ToHashSet());
    }

    [Fact]
    public void ANegativeBudget_IsRefused()
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new IntermediateCache(Config(budgetMb: -1)));
        Assert.Contains("RawCopyBudgetMb", error.Message, StringComparison.Ordinal);
    }

    private CacheConfig Config(long budgetMb) =>
        _dir.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0) with { Compression = true, RawCopyBudgetMb = budgetMb };

    /// <summary>A compressed put by a session of its own, under the default budget (the copy it publishes stays).</summary>
    private float[] Put(string key, float stamp, TimeProvider? clock = null)
    {
        var data = new float[Elements];
        Patterns.Fill(data, stamp);
        using var writer = new IntermediateCache(Config(budgetMb: 2048), clock ?? TimeProvider.System, logger: null);
        writer.Put<float>("z", key, data, [Elements]);
        return data;
    }

    private string[] RawCopies() => Directory.GetFiles(_dir.CachePath, "*.raw", SearchOption.AllDirectories);

    /// <summary>The bytes of every entry file (segments, compressed or not; no raw copies, no housekeeping).</summary>
    private long EntryFileBytes() =>
        _dir.SegmentFiles().Sum(path => new FileInfo(path).Length);

    /// <summary>zarr's on-disk ratio for the same array with every default (its default compressor is Blosc), as benchmarks/peers/compression_vs_blosc.py measures it.</summary>
    private double ZarrRatio(float[] series, int[] shape)
    {
        string npy = Path.Combine(_dir.Root, "series.npy");
        var header = new byte[NpyHeader.Size];
        NpyHeader.Write(header, DType.Float32, [.. shape.Select(d => (long)d)]);
        using (var file = new FileStream(npy, FileMode.Create, FileAccess.Write))
        {
            file.Write(header);
            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(series.AsSpan()));
        }

        string output = FormatsPython.Zarr(
            """
            import sys, numpy as np, zarr
            data = np.load(sys.argv[1])
            array = zarr.zeros(data.shape, dtype=data.dtype)
            array[...] = data
            print(data.nbytes / (array.nbytes_stored - len(array.store[".zarray"])))
            """,
            npy);
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
