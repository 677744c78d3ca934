using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// What a provenance key costs, for typical osipy inputs: a 4D DCE series that is a cache entry
/// (64×64×20×100 float32, keyed by its stored checksum), an AIF of 100 floats (by content), ten
/// scalar parameters and the fit's code identity (cached after the first key). Against the fill of
/// a small voxel-wise fit (one slice), and a memoized hit (the key derived in the call, or built before
/// and reused) against a plain get.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ProvenanceBenchmarks
{
    private const int Voxels = 64 * 64;
    private const int Slices = 20;
    private const int TimePoints = 100;

    private DirectoryInfo _directory = null!;
    private IntermediateCache _cache = null!;
    private MappedArray<float> _series = null!;
    private float[] _aif = [];
    private ProvenanceKey _storedKey = null!;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-provenance-");
        _cache = new IntermediateCache(new CacheConfig { CacheDir = _directory.FullName, MaxMemoryMb = 4096, DefaultPolicy = RetentionPolicy.Persistent });
        var series = new float[Voxels * Slices * TimePoints];
        for (int i = 0; i < series.Length; i++)
        {
            series[i] = (i % 977) * 0.25f;
        }

        _cache.Put<float>("dce", "sub-01", series, [64, 64, Slices, TimePoints]);
        _series = _cache.Get<float>("dce", "sub-01")!;
        _aif = [.. Enumerable.Range(0, TimePoints).Select(t => MathF.Exp(-t / 20f) * t)];
        _storedKey = Key();
        _cache.Memoize<float>("ktrans", _storedKey, [64, 64], () => FitSlice(_series.ReadOnlySpan, _aif));
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _series.Dispose();
        _cache.Dispose();
        _directory.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, Description = "fill: a voxel-wise fit of one 64x64 slice")]
    [BenchmarkCategory("key")]
    public float[] Fill() => FitSlice(_series.ReadOnlySpan, _aif);

    [Benchmark(Description = "key: series entry + AIF[100] + 10 parameters + code")]
    [BenchmarkCategory("key")]
    public ProvenanceKey DeriveKey() => Key();

    [Benchmark(Baseline = true, Description = "plain Get of the result")]
    [BenchmarkCategory("hit")]
    public int PlainGet()
    {
        using MappedArray<float> result = _cache.Get<float>("ktrans", _storedKey.Key)!;
        return result.Shape.Count;
    }

    [Benchmark(Description = "memoized hit, key built before: Memoize")]
    [BenchmarkCategory("hit")]
    public int MemoizedHitOfAKey()
    {
        using MappedArray<float> result = _cache.Memoize<float>("ktrans", _storedKey, [64, 64], () => throw new InvalidOperationException("a hit never computes"));
        return result.Shape.Count;
    }

    [Benchmark(Description = "memoized hit: key + Memoize")]
    [BenchmarkCategory("hit")]
    public int MemoizedHit()
    {
        using MappedArray<float> result = _cache.Memoize<float>("ktrans", Key(), [64, 64], () => throw new InvalidOperationException("a hit never computes"));
        return result.Shape.Count;
    }

    private ProvenanceKey Key() => ProvenanceKey.For("fit_tofts").Code(((Func<ReadOnlySpan<float>, float[], float[]>)FitSlice).Method)
        .Input("series", _series)
        .Array<float>("aif", _aif, [TimePoints])
        .Argument("hematocrit", 0.42).Argument("tr", 0.005).Argument("te", 0.002).Argument("flip_angle", 15.0)
        .Argument("baseline_points", 5).Argument("model", "extended_tofts").Argument("t10", 1.4)
        .Argument("r1", 4.5).Argument("bounds", new[] { 0.0, 5.0 }).Argument("slice", 10)
        .Build();

    /// <summary>Ktrans-like slope per voxel of slice 10: least squares of the curve on the AIF's running integral.</summary>
    private static float[] FitSlice(ReadOnlySpan<float> series, float[] aif)
    {
        var integral = new float[aif.Length];
        float sum = 0;
        for (int t = 0; t < aif.Length; t++)
        {
            sum += aif[t];
            integral[t] = sum;
        }

        var slopes = new float[Voxels];
        for (int voxel = 0; voxel < Voxels; voxel++)
        {
            ReadOnlySpan<float> curve = series.Slice(((voxel * Slices) + 10) * TimePoints, TimePoints);
            float xy = 0, xx = 0;
            for (int t = 0; t < curve.Length; t++)
            {
                xy += integral[t] * curve[t];
                xx += integral[t] * integral[t];
            }

            slopes[voxel] = xy / xx;
        }

        return slopes;
    }
}
