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
}
