using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class ExpiryTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(RetentionPolicy.Cached)]
    [InlineData(RetentionPolicy.Persistent)]
    public void Get_OlderThanMaxAge_IsMiss_RemovedAndCounted(RetentionPolicy policy)
    {
        using var cache = new IntermediateCache(_dir.Config(policy, maxAgeSeconds: 60), _clock);
        cache.Put<float>("t", "k", [1f], [1]);
        _clock.Advance(TimeSpan.FromSeconds(60));
        using (MappedArray<float>? fresh = cache.Get<float>("t", "k"))
        {
            Assert.NotNull(fresh);
        }

        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Null(cache.Get<float>("t", "k"));
        CacheStats stats = cache.GetStats();
        Assert.Equal(1, stats.Expirations);
        Assert.Equal(1, stats.Misses);
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void Has_OnExpiredPersistentEntryFromEarlierSession_IsFalse()
    {
        using (var first = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxAgeSeconds: 10), _clock))
        {
            first.Put<float>("t", "k", [1f], [1]);
        }

        _clock.Advance(TimeSpan.FromSeconds(11));
        using var second = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxAgeSeconds: 10), _clock);

        Assert.False(second.Has("t", "k"));
        Assert.Equal(1, second.GetStats().Expirations);
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void MaxAgeZero_MeansNoLimit()
    {
        using var cache = new IntermediateCache(_dir.Config(maxAgeSeconds: 0), _clock);
        cache.Put<float>("t", "k", [1f], [1]);

        _clock.Advance(TimeSpan.FromDays(3650));

        using MappedArray<float>? view = cache.Get<float>("t", "k");
        Assert.NotNull(view);
    }

    [Fact]
    public void Expiry_KeepsLiveLeaseReadable()
    {
        using var cache = new IntermediateCache(_dir.Config(maxAgeSeconds: 5), _clock);
        cache.Put<float>("t", "k", [7f], [1]);
        using MappedArray<float> lease = cache.Get<float>("t", "k")!;

        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(cache.Get<float>("t", "k"));

        Assert.Equal(7f, lease.Span[0]);
    }
}
