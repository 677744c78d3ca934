namespace Osipy.MappedCache.TestChild;

/// <summary>
/// Random put / create / get / has / verify / stats / reclaim / invalidate / clear / dispose from several threads, each with its
/// own session, on a small key set of every kind (single arrays, bundles, compressed) and every
/// policy. Every hit is checked to be one whole array of the key asked for.
/// </summary>
internal static class Soak
{
    private const int Keys = 4;
    private const int Elements = 3000;

    // Result types and their policies: c = CACHED, p = PERSISTENT, z = PERSISTENT compressed, tr = TRANSIENT.
    private static readonly string[] Types = ["c", "p", "z", "tr"];

    public static CacheConfig Config(string dir) => new()
    {
        CacheDir = dir,
        MaxAgeSeconds = 0,
        MaxMemoryMb = 1, // small: evictions happen all the time
        Policies = new Dictionary<string, RetentionPolicy>
        {
            ["c"] = RetentionPolicy.Cached,
            ["p"] = RetentionPolicy.Persistent,
            ["z"] = RetentionPolicy.Persistent,
            ["tr"] = RetentionPolicy.Transient,
        },
        CompressionByType = new Dictionary<string, bool> { ["z"] = true },
    };

    /// <summary>Runs <paramref name="threads"/> workers for at most <paramref name="seconds"/> and <paramref name="maxOperations"/> each.</summary>
    public static int Run(string dir, int threads, int seconds, int maxOperations, int seed)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        int failures = 0, kindRaces = 0, operations = 0;
        var workers = new Thread[threads];
        for (int w = 0; w < threads; w++)
        {
            int worker = w;
            workers[w] = new Thread(() =>
            {
                var random = new Random((seed * 100) + worker);
                var cache = new IntermediateCache(Config(dir));
                try
                {
                    for (int op = 0; op < maxOperations && DateTime.UtcNow < deadline; op++)
                    {
                        int type = random.Next(Types.Length), key = random.Next(Keys);
                        int stamp = (seed * 10_000_000) + (worker * 1_000_000) + op;
                        try
                        {
                            cache = Step(cache, dir, random.Next(100), type, key, stamp);
                        }
                        catch (InvalidOperationException ex) when (ex.Message.Contains("use GetBundle", StringComparison.Ordinal) || ex.Message.Contains("use Get<T>", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref kindRaces); // replaced by the other kind between GetEntry and the get
                        }
                        catch (Exception ex) when (ex is not SoakFailure)
                        {
                            Console.WriteLine($"FAIL unexpected {ex.GetType().Name}: {ex.Message}");
                            Interlocked.Increment(ref failures);
                        }
                        catch (SoakFailure ex)
                        {
                            Console.WriteLine($"FAIL {ex.Message}");
                            Interlocked.Increment(ref failures);
                        }

                        if (Interlocked.Increment(ref operations) % 500 == 0)
                        {
                            Console.WriteLine($"progress {operations}");
                        }
                    }
                }
                finally
                {
                    cache.Dispose();
                }
            });
            workers[w].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Console.WriteLine($"done operations={operations} failures={failures} kindRaces={kindRaces}");
        return failures == 0 ? 0 : 1;
    }

    private static IntermediateCache Step(IntermediateCache cache, string dir, int dice, int type, int key, int stamp)
    {
        string resultType = Types[type], name = $"k{key}";
        switch (dice)
        {
            case < 30:
                cache.Put<int>(resultType, name, Stamped(type, key, stamp), [Elements]);
                break;
            case < 40:
                cache.Put(resultType, name, new Dictionary<string, Array> { ["a"] = Stamped(type, key, stamp), ["b"] = Stamped(type, key, stamp) });
                break;
            case < 50:
                using (MappedArrayWriter<int> writer = cache.Create<int>(resultType, name, [Elements]))
                {
                    Stamped(type, key, stamp).CopyTo(writer.Span);
                    using MappedArray<int> committed = writer.Commit();
                    Check(committed.ReadOnlySpan, type, key, $"{resultType}/{name} committed", expectedStamp: stamp);
                }

                break;
            case < 85:
                Get(cache, resultType, name, type, key);
                break;
            case < 92:
                cache.Invalidate(resultType, name);
                break;
            case < 94:
                cache.Clear(resultType);
                break;
            case < 95:
                _ = cache.Has(resultType, name);
                break;
            case 95:
                if (cache.Verify(resultType, name) == false)
                {
                    throw new SoakFailure($"{resultType}/{name}: Verify found a published segment corrupt");
                }

                break;
            case 96:
                CacheStats stats = cache.GetStats();
                if (stats.CorruptSegments != 0 || stats.QuarantineFiles != 0)
                {
                    throw new SoakFailure($"a published segment was found corrupt ({stats.CorruptSegments}, {stats.QuarantineFiles} quarantined)");
                }

                break;
            case 97:
                cache.ReclaimDeadSessions();
                break;
            default:
                cache.Dispose(); // ends the session (its CACHED files go) and starts another
                return new IntermediateCache(Config(dir));
        }

        return cache;
    }

    private static void Get(IntermediateCache cache, string resultType, string name, int type, int key)
    {
        CacheEntry? entry = cache.GetEntry(resultType, name);
        if (entry is { IsBundle: true })
        {
            using MappedBundle? bundle = cache.GetBundle(resultType, name);
            if (bundle is not null)
            {
                int stampA = Check(bundle.Get<int>("a").ReadOnlySpan, type, key, $"{resultType}/{name}[a]");
                int stampB = Check(bundle.Get<int>("b").ReadOnlySpan, type, key, $"{resultType}/{name}[b]");
                if (stampA != stampB)
                {
                    throw new SoakFailure($"{resultType}/{name}: a bundle mixes two puts ({stampA}, {stampB})");
                }
            }
        }
        else
        {
            using MappedArray<int>? array = cache.Get<int>(resultType, name);
            if (array is not null)
            {
                Check(array.ReadOnlySpan, type, key, $"{resultType}/{name}");
            }
        }
    }

    /// <summary>[type, key, stamp, then stamp * 31 + i]: a torn or foreign array cannot pass <see cref="Check"/>.</summary>
    private static int[] Stamped(int type, int key, int stamp)
    {
        var data = new int[Elements];
        data[0] = type;
        data[1] = key;
        data[2] = stamp;
        for (int i = 3; i < data.Length; i++)
        {
            data[i] = unchecked((stamp * 31) + i);
        }

        return data;
    }

    private static int Check(ReadOnlySpan<int> data, int type, int key, string what, int? expectedStamp = null)
    {
        if (data.Length != Elements || data[0] != type || data[1] != key)
        {
            throw new SoakFailure($"{what}: foreign array (length {data.Length}, type {(data.Length > 0 ? data[0] : -1)}, key {(data.Length > 1 ? data[1] : -1)})");
        }

        int stamp = data[2];
        if (expectedStamp is { } expected && stamp != expected)
        {
            throw new SoakFailure($"{what}: commit returned stamp {stamp}, not its own {expected}");
        }

        for (int i = 3; i < data.Length; i++)
        {
            if (data[i] != unchecked((stamp * 31) + i))
            {
                throw new SoakFailure($"{what}: torn array at element {i}");
            }
        }

        return stamp;
    }

    private sealed class SoakFailure(string message) : Exception(message);
}
