using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Osipy.MappedCache.Redis;
using StackExchange.Redis;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>
/// The remote tier on a loopback Redis Cluster (start one with benchmarks/remote/start_cluster.sh
/// and export OSIPY_BENCH_REDIS): a 512 MiB fetch into a local segment against GETs of the same
/// chunks into a reused buffer; a remote put against pipelined SETs of the same chunks; and a
/// GetOrCreate hit against a plain Get. Each group is one category with its own baseline. The put's
/// floor writes new keys, as a put of a new entry does (Redis allocates every value anew); SETs over
/// the same keys, which let Redis reuse the memory it just freed, and a replacing put are shown beside it.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RemoteTierBenchmarks
{
    private const int Elements = 128 * 1024 * 1024; // 512 MiB of float32
    private const int ChunkBytes = 4 * 1024 * 1024;
    private const int Window = 8;

    private readonly string _prefix = $"bench{Environment.ProcessId}";
    private DirectoryInfo _directory = null!;
    private float[] _data = [];
    private RedisRemoteTier _tier = null!;
    private IntermediateCache _writer = null!;
    private IntermediateCache _holder = null!;
    private ConnectionMultiplexer _raw = null!;
    private RedisKey[] _chunkKeys = [];
    private ReadOnlyMemory<byte>[] _chunks = [];
    private IntermediateCache? _fresh;
    private int _node;

    [GlobalSetup]
    public void GlobalSetup()
    {
        string configuration = Environment.GetEnvironmentVariable("OSIPY_BENCH_REDIS")
            ?? throw new InvalidOperationException("Set OSIPY_BENCH_REDIS to a cluster's nodes: export OSIPY_BENCH_REDIS=$(benchmarks/remote/start_cluster.sh)");
        _directory = Directory.CreateTempSubdirectory("osipy-cache-bench-remote-");
        _data = new float[Elements];
        for (int i = 0; i < _data.Length; i++)
        {
            _data[i] = i % 1000 * 0.5f;
        }

        _tier = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = configuration, KeyPrefix = _prefix, ChunkBytes = ChunkBytes, Window = Window });
        _writer = new IntermediateCache(Config("writer"));
        _writer.Put<float>("t1_map", "big", _data, [_data.Length]);
        _writer.Put<float>("t1_map", "small", new float[1024], [1024]);
        _holder = new IntermediateCache(Config("holder"));
        _holder.Get<float>("t1_map", "small")!.Dispose(); // fetched and mapped: the hit benchmarks measure hits

        // The floor's keys: the very chunks the manifest of "big" names, read with plain GETs.
        _raw = ConnectionMultiplexer.Connect(configuration);
        _chunkKeys = ChunkKeysOf("t1_map", "big");
        byte[] bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_data.AsSpan()).ToArray();
        _chunks = [.. Enumerable.Range(0, _chunkKeys.Length).Select(i => new ReadOnlyMemory<byte>(bytes, i * ChunkBytes, Math.Min(ChunkBytes, bytes.Length - (i * ChunkBytes))))];
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _tier.Clear(null);
        IDatabase db = _raw.GetDatabase();
        for (int i = 0; i < _chunks.Length; i++)
        {
            db.KeyDelete($"{_prefix}:floor:{i}");
        }

        _holder.Dispose();
        _writer.Dispose();
        _tier.Dispose();
        _raw.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>A new node for each fetch: an empty local directory, so the get downloads.</summary>
    [IterationSetup(Target = nameof(FetchIntoLocalSegment))]
    public void NewNode() => _fresh = new IntermediateCache(Config($"node{_node++}"));

    [IterationCleanup(Target = nameof(FetchIntoLocalSegment))]
    public void DropNode()
    {
        _fresh?.Dispose();
        Directory.Delete(Path.Combine(_directory.FullName, $"node{_node - 1}"), recursive: true);
    }

    /// <summary>
    /// Nothing to prepare; it only gives these benchmarks the job of the others of their category
    /// (one invocation per iteration), since BenchmarkDotNet computes ratios within one job.
    /// </summary>
    [IterationSetup(Targets = [nameof(GetChunksIntoBuffer), nameof(OverwriteChunks), nameof(PutRemoteReplacing)])]
    public void OneInvocationPerIteration()
    {
    }

    [Benchmark(Baseline = true, Description = "GETs of the chunks into a reused buffer (floor)")]
    [BenchmarkCategory("Fetch 512 MiB")]
    public long GetChunksIntoBuffer()
    {
        IDatabase db = _raw.GetDatabase();
        long total = 0;
        var inFlight = new List<Task<Lease<byte>?>>(Window);
        foreach (RedisKey key in _chunkKeys)
        {
            inFlight.Add(db.StringGetLeaseAsync(key));
            if (inFlight.Count == Window)
            {
                total += ChunkReplies.Drain(inFlight);
            }
        }

        return total + ChunkReplies.Drain(inFlight);
    }

    [Benchmark(Description = "Get on a new node: download, validate, publish, map")]
    [BenchmarkCategory("Fetch 512 MiB")]
    public long FetchIntoLocalSegment()
    {
        using MappedArray<float> array = _fresh!.Get<float>("t1_map", "big")!;
        return array.Length;
    }

    /// <summary>Each SET of the floor creates its key, as the chunks of a new entry do: Redis allocates the value's memory anew.</summary>
    [IterationSetup(Target = nameof(SetChunks))]
    public void DropFloorKeys()
    {
        IDatabase db = _raw.GetDatabase();
        for (int i = 0; i < _chunks.Length; i++)
        {
            db.KeyDelete($"{_prefix}:floor:{i}");
        }
    }

    /// <summary>Each put is the entry's first: no manifest, nothing to replace, on this node or remotely.</summary>
    [IterationSetup(Target = nameof(PutRemote))]
    public void DropEntry() => _writer.Invalidate("t1_map", "big");

    [Benchmark(Baseline = true, Description = "pipelined SETs of the chunks to new keys (floor)")]
    [BenchmarkCategory("Put 512 MiB")]
    public void SetChunks() => SetAll();

    [Benchmark(Description = "pipelined SETs of the chunks over the same keys")]
    [BenchmarkCategory("Put 512 MiB")]
    public void OverwriteChunks() => SetAll();

    [Benchmark(Description = "Put (PERSISTENT), first: write locally while uploading, commit")]
    [BenchmarkCategory("Put 512 MiB")]
    public void PutRemote() => _writer.Put<float>("t1_map", "big", _data, [_data.Length]);

    [Benchmark(Description = "Put (PERSISTENT) replacing the entry")]
    [BenchmarkCategory("Put 512 MiB")]
    public void PutRemoteReplacing() => _writer.Put<float>("t1_map", "big", _data, [_data.Length]);

    [Benchmark(Baseline = true, Description = "Get (hit)")]
    [BenchmarkCategory("Hit")]
    public long Get()
    {
        using MappedArray<float> array = _holder.Get<float>("t1_map", "small")!;
        return array.Length;
    }

    [Benchmark(Description = "GetOrCreate (hit)")]
    [BenchmarkCategory("Hit")]
    public long GetOrCreateHit()
    {
        using MappedArray<float> array = _holder.GetOrCreate<float>("t1_map", "small", [1024], static _ => throw new InvalidOperationException("a hit never fills"));
        return array.Length;
    }

    private void SetAll() => PipelinedSets.SetAll(_raw.GetDatabase(), _prefix, _chunks, Window);


    private RedisKey[] ChunkKeysOf(string resultType, string key)
    {
        RemoteEntry entry = _tier.Find(resultType, key) ?? throw new InvalidOperationException("The put did not reach the cluster.");
        string id = Osipy.MappedCache.Redis.RedisKeys.EntryId(resultType, key);
        int count = (int)((entry.Length + ChunkBytes - 1) / ChunkBytes);
        return [.. Enumerable.Range(0, count).Select(i => (RedisKey)$"{_prefix}:c:{id}:{entry.Version}:{i}")];
    }

    private CacheConfig Config(string node) => new()
    {
        CacheDir = Path.Combine(_directory.FullName, node),
        DefaultPolicy = RetentionPolicy.Persistent,
        MaxAgeSeconds = 0,
        MaxMemoryMb = 8192,
        Remote = _tier,
    };
}
