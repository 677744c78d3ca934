namespace Osipy.MappedCache.TestChild;

/// <summary>Puts and gets of random sizes from several threads under a disk budget, on keys every process shares.</summary>
internal static class BudgetSoak
{
    private const int MiB = 1024 * 1024;

    /// <summary>
    /// For <paramref name="seconds"/>, <paramref name="threads"/> threads put arrays of 1 to 32 MiB
    /// (result type "p" PERSISTENT, "c" CACHED) and get them, on 16 keys per type shared with the
    /// other processes, under <c>MaxDiskMb = maxDiskMb</c>. Every get must be a miss or one whole
    /// array; a put may only fail by waiting out the budget. Then prints "stopped", waits for a line,
    /// puts a 1 MiB marker ("p", "marker-SEED", the last entry this process uses), and prints
    /// "ok puts=P hits=H misses=M" or "FAIL ..." lines; exits 0 only without failures.
    /// </summary>
    public static int Run(string dir, int seconds, int threads, int seed, int maxDiskMb)
    {
        var config = new CacheConfig
        {
            CacheDir = dir,
            MaxDiskMb = maxDiskMb,
            MaxAgeSeconds = 0,
            MaxMemoryMb = 64,
            DefaultPolicy = RetentionPolicy.Cached,
            Policies = new Dictionary<string, RetentionPolicy> { ["p"] = RetentionPolicy.Persistent, ["c"] = RetentionPolicy.Cached },
        };
        int failures = 0;
        long puts = 0, hits = 0, misses = 0;
        long deadline = Environment.TickCount64 + (seconds * 1000L);
        using (var cache = new IntermediateCache(config))
        {
            Console.WriteLine("started");
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
            {
                var random = new Random((seed * 100) + worker);
                var data = new float[32 * MiB / sizeof(float)];
                for (int op = 0; Environment.TickCount64 < deadline; op++)
                {
                    string type = random.Next(2) == 0 ? "p" : "c";
                    string key = $"k{random.Next(16)}";
                    try
                    {
                        if (random.Next(2) == 0)
                        {
                            int length = random.Next(MiB / sizeof(float), (32 * MiB / sizeof(float)) + 1);
                            Patterns.Fill(data.AsSpan(0, length), (seed * 10_000) + (worker * 1000) + (op % 1000));
                            cache.Put<float>(type, key, data.AsSpan(0, length), [length]);
                            Interlocked.Increment(ref puts);
                        }
                        else
                        {
                            using MappedArray<float>? view = cache.Get<float>(type, key);
                            if (view is null)
                            {
                                Interlocked.Increment(ref misses);
                            }
                            else if (Patterns.IsWhole(view.ReadOnlySpan))
                            {
                                Interlocked.Increment(ref hits);
                            }
                            else
                            {
                                Console.WriteLine($"FAIL torn array under {type}/{key}");
                                Interlocked.Increment(ref failures);
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        Console.WriteLine($"FAIL {ex.GetType().Name}: {ex.Message}");
                        Interlocked.Increment(ref failures);
                    }
                }
            });

            // The test lets the processes put their markers one after another, once none is putting.
            Console.WriteLine("stopped");
            Console.In.ReadLine();
            var marker = new float[MiB / sizeof(float)];
            Patterns.Fill(marker, seed);
            cache.Put<float>("p", $"marker-{seed}", marker, [marker.Length]);
        }

        Console.WriteLine(failures == 0 ? $"ok puts={puts} hits={hits} misses={misses}" : $"failures={failures}");
        return failures == 0 ? 0 : 1;
    }
}
