using BenchmarkDotNet.Attributes;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// Hits on hot keys from two threads, alone and while a third thread decompresses a 1 GiB
/// compressed entry over and over (a new session's first get each time, after removing the node's
/// raw copy so that it decompresses). The table's lock covers
/// no I/O and no decompression, so the hits should not wait for it: the ratio of the two means
/// is what the lock costs (on a 2-core machine the decompression also competes for the cores).
/// </summary>
[MemoryDiagnoser]
public class DecompressionContentionBenchmarks
{
    private const int HotKeys = 16;
    private const int GetsPerInvoke = 1_000_000;
    private const int BigElements = 256 * 1024 * 1024; // 1 GiB of float32

    private readonly string[] _hotKeys = [.. Enumerable.Range(0, HotKeys).Select(i => $"hot{i}")];
    private DirectoryInfo _directory = null!;
    private DirectoryInfo? _memoryDirectory;
    private CacheConfig _config = null!;
    private IntermediateCache _cache = null!;
    private Thread? _decompressor;
    private volatile bool _stop;
    private int _decompressions;

    /// <summary>Whether a third thread decompresses the 1 GiB entry during the measurement.</summary>
    [Params(false, true)]
    public bool WhileDecompressing { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-contention-");
        // Raw copies of the compressed entry go to memory, not the disk's writeback queue.
        // (A subdirectory the benchmark creates: the cache refuses /dev/shm itself, which is 1777.)
        _memoryDirectory = Directory.Exists("/dev/shm")
            ? Directory.CreateDirectory($"/dev/shm/osipy-cache-bench-{Environment.ProcessId}", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)
            : null;

        _config = new CacheConfig
        {
            CacheDir = _directory.FullName,
            CachedDir = _memoryDirectory?.FullName,
            DefaultPolicy = RetentionPolicy.Persistent,
            MaxAgeSeconds = 0,
            MaxMemoryMb = 4096,
            CompressionByType = new Dictionary<string, bool> { ["big"] = true },
        };
        using (var writer = new IntermediateCache(_config))
        {
            using (MappedArrayWriter<float> big = writer.Create<float>("big", "series", [BigElements / 4096, 4096]))
            {
                // A smooth, compressible series, as a DCE concentration curve is.
                for (long row = 0; row < big.RowCount; row++)
                {
                    big.GetRowSpan(row).Fill(row * 0.001f);
                }

                big.Commit().Dispose();
            }

            foreach (string key in _hotKeys)
            {
                writer.Put<float>("hot", key, new float[1024], [1024]);
            }
        }

        _cache = new IntermediateCache(_config);
        foreach (string key in _hotKeys)
        {
            _cache.Get<float>("hot", key)!.Dispose(); // mapped: the measured gets are hits
        }

        if (WhileDecompressing)
        {
            _decompressor = new Thread(DecompressRepeatedly) { IsBackground = true, Name = "decompressor" };
            _decompressor.Start();
            while (Volatile.Read(ref _decompressions) == 0)
            {
                Thread.Yield(); // start measuring once the loop is under way
            }
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _stop = true;
        _decompressor?.Join();
        Console.WriteLine($"// decompressions of the 1 GiB entry during the run: {_decompressions}");
        _cache.Dispose();
        _directory.Delete(recursive: true);
        _memoryDirectory?.Delete(recursive: true);
    }

    [Benchmark(Description = "Get hit, 2 threads (per get)", OperationsPerInvoke = GetsPerInvoke)]
    public long HitsFromTwoThreads()
    {
        long total = 0;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, worker =>
        {
            long sum = 0;
            for (int i = 0; i < GetsPerInvoke / 2; i++)
            {
                using MappedArray<float> array = _cache.Get<float>("hot", _hotKeys[(i + worker) % HotKeys])!;
                sum += array.Length;
            }

            Interlocked.Add(ref total, sum);
        });
        return total;
    }

    private void DecompressRepeatedly()
    {
        while (!_stop)
        {
            // A new session's first get of a compressed entry the node has no raw copy of decompresses all of it.
            File.Delete(Files.RawCopyFile.PathFor(_config.CachedDir ?? _config.CacheDir!, new Files.SegmentStore(_config.CacheDir!).Locate("big", "series")));
            using var session = new IntermediateCache(_config);
            Interlocked.Increment(ref _decompressions);
            using MappedArray<float> big = session.Get<float>("big", "series")!;
        }
    }
}
