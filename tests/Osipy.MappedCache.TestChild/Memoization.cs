namespace Osipy.MappedCache.TestChild;

/// <summary>A memoized voxel-wise fit, as a pipeline process runs it: explain, then memoize.</summary>
internal static class Memoization
{
    /// <summary>
    /// Prints "ready", waits for a line on stdin, prints "explain hit=… changed=…" for the key of
    /// <see cref="FitT1"/> with flip angles [2, 5, 10, <paramref name="lastAngle"/>], memoizes the fit (writing
    /// a file into <paramref name="countDir"/> each time it computes) and prints "result key=… first=…".
    /// </summary>
    /// <remarks>With <paramref name="redis"/>, the node shares the cluster (key prefix <paramref name="prefix"/>)
    /// and memoizes through the shape-unknown path (<c>Memoize(type, key, Func&lt;Array&gt;)</c>, which Python's
    /// memoize uses too).</remarks>
    public static int Run(string cacheDir, string countDir, int lastAngle, string? redis = null, string? prefix = null)
    {
        using Redis.RedisRemoteTier? tier = redis is null ? null : new Redis.RedisRemoteTier(new Redis.RedisRemoteTierOptions
        {
            Configuration = redis,
            KeyPrefix = prefix ?? "osipy",
            LeaseTime = TimeSpan.FromSeconds(1),
        });
        using var cache = new IntermediateCache(new CacheConfig { CacheDir = cacheDir, DefaultPolicy = RetentionPolicy.Persistent, Remote = tier });
        int[] angles = [2, 5, 10, lastAngle];
        ProvenanceKey key = ProvenanceKey.For("fit_t1").Code(FitT1).Argument("flip_angles", angles).Build();
        Console.WriteLine("ready");
        _ = Console.ReadLine();

        ExplainResult explained = cache.Explain("t1_map", key);
        Console.WriteLine($"explain hit={explained.Hit} changed={string.Join(" | ", explained.Changed)}");
        float[] Compute()
        {
            File.WriteAllText(Path.Combine(countDir, $"{Environment.ProcessId}.computed"), key.Key);
            return FitT1(angles);
        }

        using MappedArray<float> t1 = tier is null
            ? cache.Memoize("t1_map", key, [16], Compute)
            : (MappedArray<float>)cache.Memoize("t1_map", key, () => Compute());
        Console.WriteLine($"result key={key.Key} first={t1.ReadOnlySpan[0]}");
        return 0;
    }

    private static float[] FitT1(int[] flipAngles)
    {
        var t1 = new float[16];
        for (int voxel = 0; voxel < t1.Length; voxel++)
        {
            t1[voxel] = 1000f + voxel + flipAngles.Sum();
        }

        return t1;
    }
}
