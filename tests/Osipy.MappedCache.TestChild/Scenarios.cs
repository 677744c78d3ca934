namespace Osipy.MappedCache.TestChild;

/// <summary>The scenarios the tests drive. Each prints what the parent waits for, then a result.</summary>
internal static class Scenarios
{
    private static CacheConfig Config(string dir, RetentionPolicy policy, long maxMemoryMb = 4096) =>
        new() { CacheDir = dir, DefaultPolicy = policy, MaxMemoryMb = maxMemoryMb, MaxAgeSeconds = 0 };

    /// <summary>Puts CACHED arrays back to back until killed.</summary>
    public static int PutLoop(string dir, int elements)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Cached));
        var data = new float[elements];
        Console.WriteLine("started");
        for (int i = 0; ; i++)
        {
            Patterns.Fill(data, i);
            cache.Put<float>("t", $"k{i % 2}", data, [elements]);
        }
    }

    /// <summary>Starts a zero-copy write, fills half of it, and waits to be killed.</summary>
    public static int CreateHold(string dir, int elements)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Persistent));
        MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [elements]);
        Patterns.Fill(writer.Span[..(elements / 2)], 1);
        Console.WriteLine("ready");
        Console.In.ReadLine();
        writer.Dispose();
        return 0;
    }

    /// <summary>Puts CACHED entries (in <paramref name="cachedDir"/> if given) and waits (to be killed, or told to end normally).</summary>
    public static int HoldCached(string dir, int count, int elements, string? cachedDir)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Cached) with { CachedDir = cachedDir });
        var data = new float[elements];
        for (int i = 0; i < count; i++)
        {
            Patterns.Fill(data, i);
            cache.Put<float>("t", $"k{i}", data, [elements]);
        }

        Console.WriteLine("ready");
        Console.In.ReadLine();
        return 0;
    }

    /// <summary>Puts PERSISTENT entries ("p", "k{i}") and, with --hold, waits to be killed.</summary>
    public static int PutPersistent(string dir, int count, int elements, bool hold)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Persistent));
        var data = new float[elements];
        for (int i = 0; i < count; i++)
        {
            Patterns.Fill(data, i);
            cache.Put<float>("p", $"k{i}", data, [elements]);
        }

        Console.WriteLine("ready");
        if (hold)
        {
            Console.In.ReadLine();
        }

        return 0;
    }

    /// <summary>
    /// Gets an array written by another process and sums it, reporting how much of this process's
    /// memory is private (RssAnon) and how much is mapped file pages (RssFile), before and after.
    /// </summary>
    public static int Sum(string dir, string resultType, string key, bool prefault, bool waitBeforeSum)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Persistent) with { Prefault = prefault });
        GC.Collect();
        ProcessMemory before = ProcessMemory.Read();
        using MappedArray<float>? array = cache.Get<float>(resultType, key);
        if (array is null)
        {
            Console.WriteLine("miss");
            return 1;
        }

        ProcessMemory mapped = ProcessMemory.Read();
        if (waitBeforeSum)
        {
            Console.WriteLine("mapped");
            Console.In.ReadLine();
        }

        double sum = Patterns.SumRows(array);

        ProcessMemory after = ProcessMemory.Read();
        Console.WriteLine(FormattableString.Invariant(
            $"sum={sum:R} bytes={array.SizeBytes} anonKb={after.RssAnonKb - before.RssAnonKb} fileKb={after.RssFileKb - before.RssFileKb} mappedFileKb={mapped.RssFileKb - before.RssFileKb} whole={Patterns.IsWhole(array.ReadOnlySpan)}"));
        return 0;
    }

    /// <summary>Random put / get / invalidate / clear on a small key set from several threads; every hit must be whole.</summary>
    public static int Hammer(string dir, int operations, int threads, int seed)
    {
        int failures = 0;
        using (var cache = new IntermediateCache(Config(dir, RetentionPolicy.Cached, maxMemoryMb: 2)))
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
            {
                var random = new Random((seed * 100) + worker);
                var data = new float[4096 + random.Next(4096)];
                for (int op = 0; op < operations; op++)
                {
                    string key = $"k{random.Next(6)}";
                    try
                    {
                        switch (random.Next(10))
                        {
                            case < 4:
                                Patterns.Fill(data, (seed * 100000) + (worker * 10000) + op);
                                cache.Put<float>("t", key, data, [data.Length]);
                                break;
                            case < 8:
                                using (MappedArray<float>? view = cache.Get<float>("t", key))
                                {
                                    if (view is not null && !Patterns.IsWhole(view.ReadOnlySpan))
                                    {
                                        Console.WriteLine($"FAIL torn array under {key}");
                                        Interlocked.Increment(ref failures);
                                    }
                                }

                                break;
                            case 8:
                                cache.Invalidate("t", key);
                                break;
                            default:
                                if (random.Next(10) == 0)
                                {
                                    cache.Clear("t");
                                }

                                break;
                        }
                    }
                    catch (Exception ex)
                    {
                        Console.WriteLine($"FAIL {ex.GetType().Name}: {ex.Message}");
                        Interlocked.Increment(ref failures);
                    }
                }
            });
        }

        Console.WriteLine(failures == 0 ? "ok" : $"failures={failures}");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Run as an unprivileged user: a read-only cache directory and an unreadable segment must give
    /// clear exceptions and lose nothing.
    /// </summary>
    public static int PermissionFaults(string dir)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Persistent));
        cache.Put<float>("p", "kept", [1f, 2f], [2]);
        cache.Put<float>("p", "locked", [3f], [1]);
        string typeDir = Directory.GetDirectories(dir).Single(d => Path.GetFileName(d).StartsWith("p-", StringComparison.Ordinal));
        string locked = Directory.GetFiles(typeDir, "*.npy").Single(f => File.ReadAllBytes(f).AsSpan().IndexOf("locked"u8) >= 0);

        File.SetUnixFileMode(locked, UnixFileMode.None);
        Report("unreadable-get", () => cache.Get<float>("p", "locked")?.Dispose());

        File.SetUnixFileMode(typeDir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Report("readonly-put", () => cache.Put<float>("p", "new", [4f], [1]));
        Report("readonly-create", () => cache.Create<float>("p", "new", [4]).Dispose());
        using (MappedArray<float>? kept = cache.Get<float>("p", "kept"))
        {
            Console.WriteLine($"readonly-get-kept: {(kept is not null && kept.ReadOnlySpan.SequenceEqual([1f, 2f]) ? "ok" : "lost")}");
        }

        File.SetUnixFileMode(typeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return 0;
    }

    /// <summary>Reclaims dead sessions back to back (at most <paramref name="rounds"/> times) until told to stop.</summary>
    public static int ReclaimLoop(string dir, int rounds)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Cached));
        using var stop = new CancellationTokenSource();
        _ = Task.Run(() =>
        {
            Console.In.ReadLine();
            stop.Cancel();
        });
        Console.WriteLine("started");
        for (int i = 0; i < rounds && !stop.IsCancellationRequested; i++)
        {
            cache.ReclaimDeadSessions();
        }

        stop.Token.WaitHandle.WaitOne();
        return 0;
    }

    /// <summary>Opens a session, then (told to) tries a Create on a full disk, then (told again) one that succeeds, and waits to be killed.</summary>
    public static int CreateAfterFullDisk(string dir, int elements)
    {
        using var cache = new IntermediateCache(Config(dir, RetentionPolicy.Persistent));
        Console.WriteLine("opened");
        Console.In.ReadLine();
        try
        {
            cache.Create<float>("t", "k", [elements]).Dispose();
            Console.WriteLine("first create succeeded");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"first create failed: {ex.GetType().Name}: {ex.Message}");
        }

        Console.In.ReadLine();
        MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [elements]);
        writer.Span.Fill(1f);
        Console.WriteLine("ready");
        Console.In.ReadLine();
        writer.Dispose();
        return 0;
    }

    private static void Report(string name, Action action)
    {
        try
        {
            action();
            Console.WriteLine($"{name}: no exception");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"{name}: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
