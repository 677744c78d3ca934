using BenchmarkDotNet.Attributes;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// What the disk budget (MaxDiskMb) costs a PERSISTENT put: a put with no budget (the baseline), a
/// put under a budget with room left (the budget lock and a count of the directory's files), and
/// a put under a full budget, which removes the least recently used entry first.
/// </summary>
/// <remarks>
/// The puts cycle through <see cref="Entries"/> + 8 keys, so each one writes a key the directory
/// does not hold (under the full budget it was evicted earlier) and, under the full budget,
/// evicts one entry of the same size; the other directories stop growing at that many entries.
/// </remarks>
[MemoryDiagnoser]
public class DiskBudgetBenchmarks
{
    private const string Type = "t1_map";
    private const int Entries = 32;

    private readonly Dictionary<string, (DirectoryInfo Directory, IntermediateCache Cache)> _caches = [];
    private float[] _data = [];
    private int _next;

    /// <summary>Size of each array, in MiB.</summary>
    [Params(1, 32)]
    public int SizeMb { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _data = new float[SizeMb * 262_144];
        Random.Shared.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_data.AsSpan()));
        long entryMb = SizeMb + 1; // the array, its first page and its record, rounded up
        Open("none", maxDiskMb: 0);
        Open("room", maxDiskMb: entryMb * Entries * 4);
        Open("full", maxDiskMb: entryMb * Entries);
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        foreach ((DirectoryInfo directory, IntermediateCache cache) in _caches.Values)
        {
            cache.Dispose();
            directory.Delete(recursive: true);
        }
    }

    [Benchmark(Baseline = true, Description = "Put (PERSISTENT), no disk budget")]
    public void PutWithoutBudget() => Put("none");

    [Benchmark(Description = "Put under a disk budget with room")]
    public void PutWithRoom() => Put("room");

    [Benchmark(Description = "Put under a full disk budget (evicts the least recently used)")]
    public void PutUnderFullBudget() => Put("full");

    private void Put(string which) => _caches[which].Cache.Put<float>(Type, $"fill{_next++ % (Entries + 8)}", _data, [_data.Length]);

    /// <summary>A cache of its own, filled with <see cref="Entries"/> entries (the full one is then at its budget).</summary>
    private void Open(string name, long maxDiskMb)
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory($"osipy-budget-bench-{name}-");
        var cache = new IntermediateCache(new CacheConfig
        {
            CacheDir = directory.FullName,
            DefaultPolicy = RetentionPolicy.Persistent,
            MaxAgeSeconds = 0,
            MaxMemoryMb = 64,
            MaxDiskMb = maxDiskMb,
        });
        _caches[name] = (directory, cache);
        for (int i = 0; i < Entries; i++)
        {
            cache.Put<float>(Type, $"fill{i}", _data, [_data.Length]);
        }
    }
}
