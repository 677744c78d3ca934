using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// Issue 22's "hits from 2 threads": the same number of hits per thread from one thread and from
/// two at once, for <c>Get</c> (get, read one element, dispose: one object per hit) and for
/// <c>TryCopyTo</c> (copy 16 elements out: no object). Each benchmark counts every hit of every thread
/// as one operation, so the ratio of the two means is the inverse of the throughput gained:
/// a ratio of 0.5 is 2.0 times the gets/s of one thread. With <see cref="SharedKey"/> both threads
/// hit the same key (and so take and give back references on one mapping); without it, each hits
/// keys of its own.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HitScalingBenchmarks
{
    private const int HitsPerThread = 1_000_000;
    private const int KeysPerThread = 8;

    private DirectoryInfo _directory = null!;
    private IntermediateCache _cache = null!;
    private string[][] _keysOfThread = [];

    /// <summary>Whether the threads hit one shared set of keys, or each its own.</summary>
    [Params(false, true)]
    public bool SharedKey { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-hits-");
        _cache = new IntermediateCache(new CacheConfig { CacheDir = _directory.FullName, DefaultPolicy = RetentionPolicy.Persistent, MaxAgeSeconds = 0 });
        _keysOfThread = [.. Enumerable.Range(0, 2).Select(thread => Enumerable.Range(0, KeysPerThread).Select(k => SharedKey ? $"k{k}" : $"t{thread}k{k}").ToArray())];
        foreach (string key in _keysOfThread.SelectMany(keys => keys).Distinct())
        {
            _cache.Put<float>("t1_map", key, new float[1024], [1024]);
            _cache.Get<float>("t1_map", key)!.Dispose(); // mapped: the benchmarks measure hits
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _cache.Dispose();
        _directory.Delete(recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = HitsPerThread)]
    [BenchmarkCategory("Get")]
    public float GetOneThread() => Gets(_keysOfThread[0]);

    [Benchmark(OperationsPerInvoke = 2 * HitsPerThread)]
    [BenchmarkCategory("Get")]
    public float GetTwoThreads() => OnTwoThreads(Gets);

    [Benchmark(Baseline = true, OperationsPerInvoke = HitsPerThread)]
    [BenchmarkCategory("TryCopyTo")]
    public float CopyOneThread() => Copies(_keysOfThread[0]);

    [Benchmark(OperationsPerInvoke = 2 * HitsPerThread)]
    [BenchmarkCategory("TryCopyTo")]
    public float CopyTwoThreads() => OnTwoThreads(Copies);

    private float OnTwoThreads(Func<string[], float> hits)
    {
        float other = 0;
        var second = new Thread(() => other = hits(_keysOfThread[1]));
        second.Start();
        float mine = hits(_keysOfThread[0]);
        second.Join();
        return mine + other;
    }

    private float Copies(string[] keys)
    {
        Span<float> curve = stackalloc float[16];
        float sum = 0;
        for (int i = 0; i < HitsPerThread; i++)
        {
            _cache.TryCopyTo("t1_map", keys[i & (KeysPerThread - 1)], 0, curve);
            sum += curve[0];
        }

        return sum;
    }

    private float Gets(string[] keys)
    {
        float sum = 0;
        for (int i = 0; i < HitsPerThread; i++)
        {
            using MappedArray<float> array = _cache.Get<float>("t1_map", keys[i & (KeysPerThread - 1)])!;
            sum += array.ReadOnlySpan[0];
        }

        return sum;
    }
}
