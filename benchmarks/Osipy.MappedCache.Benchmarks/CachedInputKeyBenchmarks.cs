using BenchmarkDotNet.Attributes;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// The key of an input that is a cache entry, for a 33 MB and a 1.68 GB DCE series: it is made from
/// the record's stored checksum, so it costs the same whatever the size (issue 21: under 1 ms for
/// 1.6 GB), against a plain get of the same series.
/// </summary>
[MemoryDiagnoser]
public class CachedInputKeyBenchmarks
{
    private DirectoryInfo _directory = null!;
    private IntermediateCache _cache = null!;
    private MappedArray<float> _series = null!;

    /// <summary>The series' shape, x×y×z×t float32.</summary>
    [Params("64x64x20x100", "256x256x64x100")]
    public string Shape { get; set; } = "64x64x20x100";

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-input-key-");
        _cache = new IntermediateCache(new CacheConfig { CacheDir = _directory.FullName, MaxMemoryMb = 4096, DefaultPolicy = RetentionPolicy.Persistent });
        int[] shape = [.. Shape.Split('x').Select(int.Parse)];
        using (MappedArrayWriter<float> writer = _cache.Create<float>("dce", "sub-01", shape))
        {
            writer.GetRowSpan(0).Fill(1f);
            writer.Commit().Dispose();
        }

        _series = _cache.Get<float>("dce", "sub-01")!;
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _series.Dispose();
        _cache.Dispose();
        _directory.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, Description = "plain Get of the series")]
    public int Get()
    {
        using MappedArray<float> series = _cache.Get<float>("dce", "sub-01")!;
        return series.Shape.Count;
    }

    [Benchmark(Description = "key of the series entry (Input + Build)")]
    public string Key() => ProvenanceKey.For("fit_t1").Input("series", _series).Build().Key;
}
