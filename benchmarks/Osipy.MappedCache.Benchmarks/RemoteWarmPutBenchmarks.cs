using BenchmarkDotNet.Attributes;
using Osipy.MappedCache.Redis;
using StackExchange.Redis;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// A remote put of 512 MiB in a warm cluster, against pipelined SETs of the same chunks in the
/// same state (start a cluster with benchmarks/remote/start_cluster.sh and export OSIPY_BENCH_REDIS).
/// A cluster that has run for a while reuses the memory its removed values freed, so the set-up
/// first puts and removes the entry, and SETs and deletes the floor's keys, a few times; then each
/// iteration starts from the same state: the floor deletes its keys and SETs them anew, the put
/// removes the entry (its chunks deleted) and puts it again (new chunk keys), so both write new
/// keys into memory that redis-server has just freed. A replacing put (the new upload's keys
/// written while the old ones still exist, which it then deletes) is shown beside them.
/// </summary>
[MemoryDiagnoser]
public class RemoteWarmPutBenchmarks
{
    private const int Elements = 128 * 1024 * 1024; // 512 MiB of float32
    private const int ChunkBytes = 4 * 1024 * 1024;
    private const int Window = 8;
    private const int WarmingRounds = 3;

    private readonly string _prefix = $"benchwarm{Environment.ProcessId}";
    private DirectoryInfo _directory = null!;
    private float[] _data = [];
    private RedisRemoteTier _tier = null!;
    private IntermediateCache _writer = null!;
    private ConnectionMultiplexer _raw = null!;
    private ReadOnlyMemory<byte>[] _chunks = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        string configuration = Environment.GetEnvironmentVariable("OSIPY_BENCH_REDIS")
            ?? throw new InvalidOperationException("Set OSIPY_BENCH_REDIS to a cluster's nodes: export OSIPY_BENCH_REDIS=$(benchmarks/remote/start_cluster.sh)");
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-warm-");
        _data = new float[Elements];
        for (int i = 0; i < _data.Length; i++)
        {
            _data[i] = i % 1000 * 0.5f;
        }

        _tier = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = configuration, KeyPrefix = _prefix, ChunkBytes = ChunkBytes, Window = Window });
        _writer = new IntermediateCache(new CacheConfig
        {
            CacheDir = Path.Combine(_directory.FullName, "writer"),
            DefaultPolicy = RetentionPolicy.Persistent,
            MaxAgeSeconds = 0,
            MaxMemoryMb = 8192,
            Remote = _tier,
        });
        _raw = ConnectionMultiplexer.Connect(configuration);

        // The floor's chunks: the bytes of the segment the put uploads, cut as the upload cuts them.
        _writer.Put<float>("t1_map", "big", _data, [_data.Length]);
        RemoteEntry entry = _tier.Find("t1_map", "big") ?? throw new InvalidOperationException("The put did not reach the cluster.");
        byte[] bytes = File.ReadAllBytes(Directory.GetFiles(Path.Combine(_directory.FullName, "writer"), "*.npy", SearchOption.AllDirectories).Single());
        if (bytes.Length != entry.Length)
        {
            throw new InvalidOperationException($"The local segment has {bytes.Length} bytes, the remote entry {entry.Length}.");
        }

        _chunks = [.. Enumerable.Range(0, (bytes.Length + ChunkBytes - 1) / ChunkBytes).Select(i => new ReadOnlyMemory<byte>(bytes, i * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - (i * ChunkBytes))))];

        // Warm: puts and removals, SETs and deletions, of the same sizes.
        for (int round = 0; round < WarmingRounds; round++)
        {
            RemoveEntry();
            PutRemoteWarm();
            DeleteFloorKeys();
            SetChunksWarm();
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        DeleteFloorKeys();
        _tier.Clear(null);
        _writer.Dispose();
        _tier.Dispose();
        _raw.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>The floor's keys deleted: redis-server frees their memory, which the SETs then reuse.</summary>
    [IterationSetup(Target = nameof(SetChunksWarm))]
    public void DeleteFloorKeys()
    {
        IDatabase db = _raw.GetDatabase();
        Task.WaitAll([.. Enumerable.Range(0, _chunks.Length).Select(i => db.KeyDeleteAsync($"{_prefix}:floor:{i}"))]);
    }

    /// <summary>The entry removed here and remotely (its chunks deleted, waited for): the put is the entry's first again.</summary>
    [IterationSetup(Target = nameof(PutRemoteWarm))]
    public void RemoveEntry() => _writer.Invalidate("t1_map", "big");

    /// <summary>Nothing to prepare; it gives this benchmark the job of the others (one invocation per iteration), since ratios are computed within one job.</summary>
    [IterationSetup(Target = nameof(PutRemoteReplacingWarm))]
    public void OneInvocationPerIteration()
    {
    }

    [Benchmark(Baseline = true, Description = "pipelined SETs of the chunks to new keys, warm cluster (floor)")]
    public void SetChunksWarm() => PipelinedSets.SetAll(_raw.GetDatabase(), _prefix, _chunks, Window);

    [Benchmark(Description = "Put (PERSISTENT) after a removal, warm cluster")]
    public void PutRemoteWarm() => _writer.Put<float>("t1_map", "big", _data, [_data.Length]);

    [Benchmark(Description = "Put (PERSISTENT) replacing the entry, warm cluster")]
    public void PutRemoteReplacingWarm() => _writer.Put<float>("t1_map", "big", _data, [_data.Length]);
}
