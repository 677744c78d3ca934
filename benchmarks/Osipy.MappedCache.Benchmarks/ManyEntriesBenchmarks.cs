using BenchmarkDotNet.Attributes;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// Bookkeeping on a cache holding 10,000 entries (PERSISTENT, 4 KiB each): Has, Invalidate and
/// GetStats, and hits on small arrays from one and two threads.
/// </summary>
[MemoryDiagnoser]
public class ManyEntriesBenchmarks
{
    private const int Entries = 10_000;
    private const int GetsPerInvoke = 10_000;

    private DirectoryInfo _directory = null!;
    private IntermediateCache _cache = null!;
    private readonly float[] _small = new float[1024];
    private readonly Dictionary<string, float[]>[] _privateTables = [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 64).ToDictionary(i => $"k{i}", _ => new float[1024]))];
    private int _next;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-many-");
        _cache = new IntermediateCache(new CacheConfig { CacheDir = _directory.FullName, DefaultPolicy = RetentionPolicy.Persistent, MaxAgeSeconds = 0 });
        for (int i = 0; i < Entries; i++)
        {
            _cache.Put<float>("t", $"k{i}", _small, [_small.Length]);
        }

        // Map a small working set once, so the get benchmarks measure hits.
        for (int i = 0; i < 64; i++)
        {
            _cache.Get<float>("t", $"k{i}")!.Dispose();
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _cache.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>Puts back the entry the next Invalidate removes, outside the measurement.</summary>
    [IterationSetup(Target = nameof(Invalidate))]
    public void PutBackNext() => _cache.Put<float>("t", $"k{_next % Entries}", _small, [_small.Length]);

    [Benchmark(Description = "Has (entry on disk, not mapped)")]
    public bool Has() => _cache.Has("t", $"k{(_next++ % (Entries - 64)) + 64}");

    [Benchmark(Description = "Invalidate")]
    public void Invalidate() => _cache.Invalidate("t", $"k{_next++ % Entries}");

    [Benchmark(Description = "GetStats (10,000 files)")]
    public long GetStats() => _cache.GetStats().DiskEntries;

    [Benchmark(Description = "Get hit, 1 thread", OperationsPerInvoke = GetsPerInvoke)]
    public long GetOneThread() => GetHits(0, GetsPerInvoke);

    [Benchmark(Description = "Get hit, 2 threads (per get)", OperationsPerInvoke = GetsPerInvoke)]
    public long GetTwoThreads()
    {
        long total = 0;
        Parallel.For(0, 2, worker => Interlocked.Add(ref total, GetHits(worker, GetsPerInvoke / 2)));
        return total;
    }

    /// <summary>
    /// The machine's own ceiling for two threads: the same key formatting and a look-up in a
    /// dictionary private to each thread, sharing nothing. Gets scale at best as well as this.
    /// </summary>
    [Benchmark(Description = "Private look-up (ceiling), 1 thread", OperationsPerInvoke = GetsPerInvoke)]
    public long LookUpOneThread() => PrivateLookUps(0, GetsPerInvoke);

    [Benchmark(Description = "Private look-up (ceiling), 2 threads (per look-up)", OperationsPerInvoke = GetsPerInvoke)]
    public long LookUpTwoThreads()
    {
        long total = 0;
        Parallel.For(0, 2, worker => Interlocked.Add(ref total, PrivateLookUps(worker, GetsPerInvoke / 2)));
        return total;
    }

    private long PrivateLookUps(int worker, int count)
    {
        Dictionary<string, float[]> table = _privateTables[worker];
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += table[$"k{((worker * 31) + i) % 64}"].Length;
        }

        return total;
    }

    private long GetHits(int worker, int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            using MappedArray<float> array = _cache.Get<float>("t", $"k{((worker * 31) + i) % 64}")!;
            total += array.Length;
        }

        return total;
    }
}
