using System.Diagnostics;
using Osipy.MappedCache;
using Osipy.MappedCache.Benchmarks;
using Osipy.MappedCache.Peers;
using Osipy.MappedCache.Redis;
using StackExchange.Redis;

// Usage: RemoteDriver put|fetch|clear CONFIGURATION PREFIX CACHE_DIR [MIB...]
//   put:   puts a float32 array of each MIB (key "aMIB") and a 16 KiB one ("small") into the cluster.
//   fetch: in this new process, opens a cache in the empty CACHE_DIR, gets "small" (both connections
//          open, the download path run once) and measures the baseline; then gets "aMIB" from the
//          cluster while a thread samples RssAnon every millisecond, and prints the baseline, the
//          peak, the peak's increase over the baseline, and the window (Window x ChunkBytes).
//   floor: the same measurement around GETs of the chunks of "aMIB" into leases, Window at a time,
//          on a connection of its own (what StackExchange.Redis itself holds for the transfer).
//   parts: where a fetch's time goes, ROUNDS rounds (default 5) alternating: GETs of the chunks
//          (the floor), the tier's Download into a target that drops the bytes (GETs + checks), and
//          into a new file by pwrite (GETs + checks + the page cache's copy); medians in ms.
//   clear: removes every entry of PREFIX from the cluster.
// OSIPY_WINDOW sets the window (default 8) for fetch, floor and parts.
const int ChunkBytes = 4 * 1024 * 1024;
int Window = int.Parse(Environment.GetEnvironmentVariable("OSIPY_WINDOW") ?? "8");
string mode = args[0];
using var tier = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = args[1], KeyPrefix = args[2], ChunkBytes = ChunkBytes, Window = Window });
var config = new CacheConfig
{
    CacheDir = args[3],
    DefaultPolicy = RetentionPolicy.Persistent,
    MaxAgeSeconds = 0,
    MaxMemoryMb = 16384,
    Remote = tier,
};

switch (mode)
{
    case "put":
    {
        using var cache = new IntermediateCache(config);
        cache.Put<float>("remote", "small", new float[4096], [4096]);
        foreach (string mib in args[4..])
        {
            var data = new float[long.Parse(mib) * 1024 * 1024 / sizeof(float)];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = i % 1000 * 0.5f;
            }

            cache.Put<float>("remote", "a" + mib, data, [data.Length]);
        }

        break;
    }

    case "floor":
    {
        string mib = args[4];
        RedisKey[] keys = ChunkKeysOf(tier, args[2], mib);
        using ConnectionMultiplexer connection = ConnectionMultiplexer.Connect(args[1]);
        IDatabase db = connection.GetDatabase();
        using (Lease<byte>? first = db.StringGetLease(keys[0]))
        {
        }

        using var sampler = RssAnonSampler.StartAfterCollecting();
        (long baseline, long allocated, long started) = (sampler.BaselineKb, sampler.AllocatedBefore, sampler.StartedAt);
        var inFlight = new List<Task<Lease<byte>?>>(Window);
        long total = 0;
        foreach (RedisKey key in keys)
        {
            inFlight.Add(db.StringGetLeaseAsync(key));
            if (inFlight.Count == Window)
            {
                total += ChunkReplies.Drain(inFlight);
            }
        }

        total += ChunkReplies.Drain(inFlight);
        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        long peak = sampler.Stop();
        Console.WriteLine(
            $"array_mib={mib} floor_ms={ms:F0} baseline_rss_anon_mib={baseline / 1024.0:F1} peak_rss_anon_mib={peak / 1024.0:F1} " +
            $"increase_mib={(peak - baseline) / 1024.0:F1} window_mib={Window * ChunkBytes / (1024 * 1024)} " +
            $"managed_allocated_mib={(GC.GetTotalAllocatedBytes(precise: true) - allocated) / (1024.0 * 1024):F1} bytes={total}");
        break;
    }

    case "parts":
    {
        string mib = args[4];
        int rounds = args.Length > 5 ? int.Parse(args[5]) : 5;
        RedisKey[] keys = ChunkKeysOf(tier, args[2], mib);
        RemoteEntry entry = tier.Find("remote", "a" + mib)!; // ChunkKeysOf has checked it is there
        using ConnectionMultiplexer connection = ConnectionMultiplexer.Connect(args[1]);
        IDatabase db = connection.GetDatabase();
        Directory.CreateDirectory(args[3]);
        var floor = new List<double>();
        var dropped = new List<double>();
        var written = new List<double>();
        for (int round = 0; round <= rounds; round++)
        {
            long started = Stopwatch.GetTimestamp();
            var inFlight = new List<Task<Lease<byte>?>>(Window);
            foreach (RedisKey key in keys)
            {
                inFlight.Add(db.StringGetLeaseAsync(key));
                if (inFlight.Count == Window)
                {
                    ChunkReplies.Drain(inFlight);
                }
            }

            ChunkReplies.Drain(inFlight);
            double floorMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            bool ok = tier.Download(entry, new DroppingTarget(entry.Length));
            double droppedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            string path = Path.Combine(args[3], "part.tmp");
            File.Delete(path);
            started = Stopwatch.GetTimestamp();
            using (var file = new FileTarget(path, entry.Length))
            {
                ok &= tier.Download(entry, file);
            }

            double writtenMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            File.Delete(path);
            if (!ok)
            {
                throw new InvalidOperationException("A download failed.");
            }

            if (round > 0)
            {
                floor.Add(floorMs);
                dropped.Add(droppedMs);
                written.Add(writtenMs);
            }
        }

        Console.WriteLine($"array_mib={mib} floor_ms={Median(floor):F0} download_dropped_ms={Median(dropped):F0} download_pwrite_ms={Median(written):F0}");
        break;
    }

    case "clear":
        tier.Clear(null);
        break;

    case "fetch":
    {
        string mib = args[4];
        using var cache = new IntermediateCache(config);
        using (MappedArray<float> small = cache.Get<float>("remote", "small") ?? throw new InvalidOperationException("put first: 'small' is not in the cluster"))
        {
        }

        using var sampler = RssAnonSampler.StartAfterCollecting();
        (long baseline, long allocated, long started) = (sampler.BaselineKb, sampler.AllocatedBefore, sampler.StartedAt);
        using (MappedArray<float> array = cache.Get<float>("remote", "a" + mib) ?? throw new InvalidOperationException($"put first: 'a{mib}' is not in the cluster"))
        {
            double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            long peak = sampler.Stop();
            long after = ProcessStatus.ReadKb("RssAnon");
            long managed = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            Console.WriteLine(
                $"array_mib={mib} fetch_ms={ms:F0} baseline_rss_anon_mib={baseline / 1024.0:F1} peak_rss_anon_mib={peak / 1024.0:F1} " +
                $"increase_mib={(peak - baseline) / 1024.0:F1} after_rss_anon_mib={after / 1024.0:F1} vm_hwm_mib={ProcessStatus.ReadKb("VmHWM") / 1024.0:F1} " +
                $"window_mib={Window * ChunkBytes / (1024 * 1024)} managed_allocated_mib={managed / (1024.0 * 1024):F1} gc_gen2={GC.CollectionCount(2)} " +
                $"remote_hits={cache.GetStats().RemoteHits}");
        }

        break;
    }

    default:
        throw new ArgumentException($"Unknown mode '{mode}': put, fetch or clear.");
}

// The chunk keys of the array "aMIB" as its put wrote them (docs/SCALE-OUT.md gives the layout).
static RedisKey[] ChunkKeysOf(RedisRemoteTier tier, string prefix, string mib)
{
    RemoteEntry entry = tier.Find("remote", "a" + mib) ?? throw new InvalidOperationException($"put first: 'a{mib}' is not in the cluster");
    string id = Osipy.MappedCache.Redis.RedisKeys.EntryId("remote", "a" + mib);
    int count = (int)((entry.Length + ChunkBytes - 1) / ChunkBytes);
    return [.. Enumerable.Range(0, count).Select(i => (RedisKey)$"{prefix}:c:{id}:{entry.Version}:{i}")];
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}

/// <summary>A download target that drops the bytes: the GETs and the checks alone.</summary>
internal sealed class DroppingTarget(long length) : RemoteSegmentTarget
{
    public override long Length => length;

    public override void Write(long offset, ReadOnlySpan<byte> bytes)
    {
    }
}

/// <summary>A download target that pwrites into a new file, as the cache's temporary segment does.</summary>
internal sealed class FileTarget(string path, long length) : RemoteSegmentTarget, IDisposable
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);

    public override long Length => length;

    public override void Write(long offset, ReadOnlySpan<byte> bytes) => RandomAccess.Write(_file, bytes, offset);

    public void Dispose() => _file.Dispose();
}
