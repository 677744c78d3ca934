namespace Osipy.MappedCache.TestChild;

/// <summary>A fill in blocks whose values depend only on the element's place, and a process killed inside one of its blocks.</summary>
public static class BlockFills
{
    /// <summary>The shape every scenario fills: 256 rows of 1000 floats.</summary>
    public static readonly int[] Shape = [256, 1000];

    /// <summary>Element (row, column) is row·1000 + column, modulo 9973, halved: the same whoever fills it.</summary>
    public static void FillBlock(long firstRow, Span<float> block)
    {
        long first = firstRow * Shape[1];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = ((first + i) % 9973) * 0.5f;
        }
    }

    /// <summary>
    /// GetOrCreate of ("p", key) in <paramref name="blocks"/> blocks, printing "block N" as each block
    /// starts; inside block <paramref name="stopAt"/> it prints "inside N" and waits for the test's kill.
    /// </summary>
    /// <remarks>With <paramref name="redis"/>, the node shares the cluster (key prefix <paramref name="prefix"/>, a
    /// shared secret, leases of <paramref name="leaseMs"/>), so another node can take its fill over.</remarks>
    public static int FillUntilKilled(string dir, string key, int blocks, int stopAt, string? redis = null, string? prefix = null, int leaseMs = 1000)
    {
        using Redis.RedisRemoteTier? tier = redis is null ? null : new Redis.RedisRemoteTier(new Redis.RedisRemoteTierOptions
        {
            Configuration = redis,
            KeyPrefix = prefix ?? "osipy",
            LeaseTime = TimeSpan.FromMilliseconds(leaseMs),
            SharedSecret = "resumable-fill-test-secret",
        });
        using var cache = new IntermediateCache(new CacheConfig { CacheDir = dir, DefaultPolicy = RetentionPolicy.Persistent, MaxAgeSeconds = 0, Remote = tier });
        using MappedArray<float> result = cache.GetOrCreate<float>("p", key, Shape, blocks, (index, firstRow, _, block) =>
        {
            Console.WriteLine($"block {index}");
            if (index == stopAt)
            {
                Console.WriteLine($"inside {index}");
                Console.In.ReadLine(); // killed here
            }

            FillBlock(firstRow, block);
        });
        Console.WriteLine("committed");
        return 0;
    }
}
