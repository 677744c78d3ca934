using Osipy.MappedCache.Redis;

namespace Osipy.MappedCache.TestChild;

/// <summary>Scenarios of GetOrCreate and the remote tier: each process is a node's worker, with its own session and connections.</summary>
internal static class Remote
{
    private const int Elements = 1 << 20;

    /// <summary>
    /// GetOrCreate of ("p", key): prints "started", and "filling" if this process computes it (then
    /// waits for a line before filling, so the test can hold it there or kill it), then "result ...".
    /// </summary>
    public static int GetOrCreate(string dir, string key, string? redis, string? prefix, int leaseMs = 1000)
    {
        using RedisRemoteTier? tier = Tier(redis, prefix, leaseMs);
        using var cache = new IntermediateCache(Config(dir, tier));
        bool filled = false;
        Console.WriteLine("started");
        using MappedArray<float> result = cache.GetOrCreate<float>("p", key, [Elements], writer =>
        {
            filled = true;
            Console.WriteLine("filling");
            Console.In.ReadLine();
            Patterns.Fill(writer.Span, 42);
        });
        Console.WriteLine($"result filled={filled} whole={Patterns.IsWhole(result.ReadOnlySpan)} stamp={result.ReadOnlySpan[0]} remoteHits={cache.GetStats().RemoteHits}");
        return 0;
    }

    /// <summary>Puts ("p", key) of <paramref name="elements"/> floats through the remote tier, printing "putting" first; killed midway by the test.</summary>
    public static int Put(string dir, string key, int elements, string redis, string prefix)
    {
        using RedisRemoteTier? tier = Tier(redis, prefix);
        using var cache = new IntermediateCache(Config(dir, tier));
        var data = new float[elements];
        Patterns.Fill(data, 7);
        Console.WriteLine("putting");
        cache.Put<float>("p", key, data, [elements]);
        Console.WriteLine("stored");
        return 0;
    }

    /// <summary>Gets ("p", key) on a node, reporting whether it was whole and how much private memory it took.</summary>
    public static int Get(string dir, string key, string redis, string prefix)
    {
        // A fixed pool: each pool thread that finishes a chunk keeps one returned 4 MiB buffer in
        // ArrayPool.Shared's per-thread slot, so a pool that grows under a loaded machine during the
        // longer fetch would show as growth with the array's size. Fixed, the measurement sees only
        // what the transfer itself holds.
        ThreadPool.SetMinThreads(8, 8);
        ThreadPool.SetMaxThreads(8, 8);
        using RedisRemoteTier? tier = Tier(redis, prefix);
        using var cache = new IntermediateCache(Config(dir, tier));
        _ = cache.Get<float>("p", key + "-absent"); // connects to the cluster: its buffers are not the array's
        GC.Collect();
        ProcessMemory before = ProcessMemory.Read();
        using MappedArray<float>? array = cache.Get<float>("p", key);
        if (array is null)
        {
            Console.WriteLine("miss");
            return 0;
        }

        _ = Patterns.SumRows(array); // touches every page, as a reader does

        ProcessMemory after = ProcessMemory.Read();
        Console.WriteLine(FormattableString.Invariant(
            $"got whole={Patterns.IsWhole(array.ReadOnlySpan)} stamp={array.ReadOnlySpan[0]} bytes={array.SizeBytes} anonKb={after.RssAnonKb - before.RssAnonKb} remoteHits={cache.GetStats().RemoteHits}"));
        return 0;
    }

    /// <summary>
    /// Takes the cluster's lease on ("p", <paramref name="key"/>) and holds it, renewed every 250 ms
    /// with a 250 ms call timeout: prints "leased"; after the line "paused" (the test has stopped
    /// the cluster's servers), waits until a renewal has failed and prints "missed N"; after the
    /// line "resumed", gives the lease back and prints "released". A renewal failing on its timer
    /// thread must not end the process.
    /// </summary>
    public static int HoldLease(string redis, string prefix, string key)
    {
        using var tier = new RedisRemoteTier(new RedisRemoteTierOptions
        {
            Configuration = redis,
            KeyPrefix = prefix,
            LeaseTime = TimeSpan.FromMilliseconds(750),
            OperationTimeout = TimeSpan.FromMilliseconds(250),
        });
        using IDisposable lease = tier.TryLease("p", key, "child") ?? throw new InvalidOperationException("the lease is taken");
        Console.WriteLine("leased");
        Console.In.ReadLine();
        if (!SpinWait.SpinUntil(() => tier.MissedRenewals > 0, TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("No renewal failed while the cluster was paused.");
        }

        Console.WriteLine($"missed {tier.MissedRenewals}");
        Console.In.ReadLine();
        lease.Dispose();
        Console.WriteLine("released");
        return 0;
    }

    private static RedisRemoteTier? Tier(string? redis, string? prefix, int leaseMs = 1000) =>
        redis is null ? null : new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = redis, KeyPrefix = prefix ?? "osipy", LeaseTime = TimeSpan.FromMilliseconds(leaseMs) });

    private static CacheConfig Config(string dir, RedisRemoteTier? tier) =>
        new() { CacheDir = dir, DefaultPolicy = RetentionPolicy.Persistent, MaxAgeSeconds = 0, MaxMemoryMb = 4096, Remote = tier };
}
