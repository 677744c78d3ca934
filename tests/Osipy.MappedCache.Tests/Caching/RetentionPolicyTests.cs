using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class RetentionPolicyTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void GetPolicy_UsesPerTypePolicy_ElseDefault()
    {
        var config = _dir.Config() with { Policies = new Dictionary<string, RetentionPolicy> { ["t1_map"] = RetentionPolicy.Persistent } };
        using var cache = new IntermediateCache(config);

        Assert.Equal(RetentionPolicy.Persistent, cache.GetPolicy("t1_map"));
        Assert.Equal(RetentionPolicy.Cached, cache.GetPolicy("concentration"));
    }

    [Fact]
    public void Put_Transient_StoresNothing_AndGetReturnsNull()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Transient));

        cache.Put<float>("scratch", "k", TestData.Ramp(16), [16]);

        Assert.Null(cache.Get<float>("scratch", "k"));
        Assert.False(cache.Has("scratch", "k"));
        Assert.Empty(_dir.SegmentFiles());
        Assert.Equal(1, cache.GetStats().Misses);
    }

    [Fact]
    public void Cached_IsUnlinked_WhenSessionEnds()
    {
        var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        cache.Put<float>("concentration", "k", TestData.Ramp(16), [16]);
        Assert.Single(_dir.SegmentFiles());

        cache.Dispose();

        Assert.Empty(_dir.SegmentFiles());
        using var next = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        Assert.Null(next.Get<float>("concentration", "k"));
    }

    [Fact]
    public void Persistent_SurvivesSession_AndIsReadByTheNext()
    {
        float[] data = TestData.Ramp(1000);
        using (var first = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            first.Put<float>("t1_map", "subject-01", data, [10, 100]);
        }

        Assert.Single(_dir.SegmentFiles());
        using var second = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float>? t1 = second.Get<float>("t1_map", "subject-01");

        Assert.NotNull(t1);
        Assert.Equal(data, t1.ReadOnlySpan.ToArray());
        Assert.Equal(RetentionPolicy.Persistent, t1.Entry.Policy);
        Assert.Equal(1, second.GetStats().Hits);
    }

    [Fact]
    public void Cached_OfALiveSession_IsVisibleToAnotherSession()
    {
        using var owner = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        owner.Put<float>("concentration", "k", TestData.Ramp(8), [8]);

        using var other = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        using MappedArray<float>? view = other.Get<float>("concentration", "k");

        Assert.NotNull(view);
        Assert.Equal(TestData.Ramp(8), view.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Constructor_NullCompressionOverrides_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new IntermediateCache(_dir.Config() with { CompressionByType = null! }));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    public void Constructor_NegativeLimits_Throw(long maxMemoryMb, long maxAgeSeconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntermediateCache(_dir.Config(maxMemoryMb: maxMemoryMb, maxAgeSeconds: maxAgeSeconds)));
    }

    [Fact]
    public void Constructor_UndefinedPolicy_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntermediateCache(_dir.Config() with { DefaultPolicy = (RetentionPolicy)7 }));
    }
}
