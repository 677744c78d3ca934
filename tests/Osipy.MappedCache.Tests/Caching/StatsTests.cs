using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class StatsTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void GetStats_CountsHitsMissesAndComputesHitRate()
    {
        using var cache = new IntermediateCache(_dir.Config(maxMemoryMb: 64));
        cache.Put<float>("t", "k", TestData.Ramp(256 * 1024), [256 * 1024]);

        for (int i = 0; i < 3; i++)
        {
            cache.Get<float>("t", "k")!.Dispose();
        }

        Assert.Null(cache.Get<float>("t", "absent"));
        CacheStats stats = cache.GetStats();

        Assert.Equal(3, stats.Hits);
        Assert.Equal(1, stats.Misses);
        Assert.Equal(0.75, stats.HitRate);
        Assert.Equal(1, stats.MemoryEntries);
        Assert.Equal(1.0, stats.MemorySizeMb);
        Assert.Equal(64, stats.MaxMemoryMb);
        Assert.Equal(_dir.CachePath, stats.CacheDir);
        Assert.Equal(1, stats.DiskEntries);
        Assert.Equal(new FileInfo(_dir.SegmentFiles()[0]).Length, stats.DiskSizeBytes);
    }

    [Fact]
    public void HitRate_BeforeAnyGet_IsZero()
    {
        using var cache = new IntermediateCache(_dir.Config());

        Assert.Equal(0, cache.GetStats().HitRate);
    }
}
