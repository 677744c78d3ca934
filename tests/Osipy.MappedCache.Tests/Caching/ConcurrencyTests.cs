using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ManyThreads_PutGetInvalidate_EveryHitIsOneWritersWholeArray()
    {
        using var cache = new IntermediateCache(_dir.Config(maxMemoryMb: 1));
        const int Length = 16 * 1024;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var random = new Random(worker);
            var data = new float[Length];
            for (int op = 0; op < 300; op++)
            {
                string key = $"k{random.Next(4)}";
                switch (random.Next(4))
                {
                    case 0 or 1:
                        float stamp = (worker * 1000) + op;
                        Array.Fill(data, stamp);
                        cache.Put<float>("t", key, data, [Length]);
                        break;
                    case 2:
                        using (MappedArray<float>? view = cache.Get<float>("t", key))
                        {
                            if (view is not null && view.ReadOnlySpan.IndexOfAnyExcept(view.ReadOnlySpan[0]) >= 0)
                            {
                                failures.Add($"torn array under {key}");
                            }
                        }

                        break;
                    default:
                        cache.Invalidate("t", key);
                        break;
                }
            }
        });

        Assert.Empty(failures);
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        cache.Dispose();
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public async Task HitsFromManyThreads_RacingEvictionAndInvalidate_ReadWholeArrays_AndAreCountedExactly()
    {
        // A budget of 1 MiB holds 4 of these 256 KiB entries: the churn thread's puts keep evicting
        // the entries the readers hit (whenever they hold no lease), and its invalidations remove them.
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxMemoryMb: 1));
        const int Length = 64 * 1024;
        const int Keys = 6;
        for (int k = 0; k < Keys; k++)
        {
            cache.Put<float>("t", $"k{k}", Filled(Length, k), [Length]);
        }

        long arraysReturned = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var readersDone = new CountdownEvent(3);
        var readers = Enumerable.Range(0, 3).Select(worker => Task.Run(() =>
        {
            try
            {
                for (int op = 0; op < 4000; op++)
                {
                    int k = (op + worker) % Keys;
                    using MappedArray<float>? view = cache.Get<float>("t", $"k{k}");
                    if (view is null)
                    {
                        continue; // invalidated just now; the churn thread puts it back
                    }

                    Interlocked.Increment(ref arraysReturned);
                    ReadOnlySpan<float> values = view.ReadOnlySpan;
                    if (values.Length != Length || values.IndexOfAnyExcept(k) >= 0)
                    {
                        failures.Add($"k{k}: wrong or torn values");
                    }
                }
            }
            finally
            {
                readersDone.Signal();
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        var churn = Task.Run(() =>
        {
            for (int round = 0; round < 2000 && !readersDone.IsSet; round++)
            {
                int k = round % Keys;
                if (round % 3 == 0)
                {
                    cache.Invalidate("t", $"k{k}");
                }

                cache.Put<float>("t", $"k{k}", Filled(Length, k), [Length]);
                cache.Put<float>("other", $"o{round % 8}", Filled(Length, -1), [Length]); // pressure on the budget
            }
        }, TestContext.Current.CancellationToken);

        await Task.WhenAll([.. readers, churn]);
        Assert.Empty(failures);
        CacheStats stats = cache.GetStats();
        Assert.Equal(Interlocked.Read(ref arraysReturned), stats.Hits);
        Assert.True(stats.Evictions > 0, "the churn should have evicted entries the readers used");
    }

    private static float[] Filled(int length, float value)
    {
        var data = new float[length];
        Array.Fill(data, value);
        return data;
    }
}
