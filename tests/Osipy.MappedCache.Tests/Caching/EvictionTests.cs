using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class EvictionTests : IDisposable
{
    private const int QuarterMb = 256 * 1024 / sizeof(float);

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Put_OverBudget_EvictsLeastRecentlyUsedCachedEntry_AndUnlinksIt()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 1));
        for (int i = 0; i < 4; i++)
        {
            cache.Put<float>("c", $"k{i}", new float[QuarterMb], [QuarterMb]);
        }

        using (cache.Get<float>("c", "k0"))
        {
            // Touching k0 makes k1 the least recently used.
        }

        cache.Put<float>("c", "k4", new float[QuarterMb], [QuarterMb]);

        Assert.False(cache.Has("c", "k1"));
        Assert.True(cache.Has("c", "k0"));
        Assert.True(cache.Has("c", "k4"));
        CacheStats stats = cache.GetStats();
        Assert.Equal(1, stats.Evictions);
        Assert.Equal(4, stats.MemoryEntries);
        Assert.Equal(1.0, stats.MemorySizeMb);
        Assert.Equal(4, stats.DiskEntries);
    }

    [Fact]
    public void Eviction_FollowsTheOrderOfTheLastHits_NotOfThePuts()
    {
        var logger = new RecordingLogger();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 1), TimeProvider.System, logger);
        for (int i = 0; i < 4; i++)
        {
            cache.Put<float>("c", $"k{i}", new float[QuarterMb], [QuarterMb]);
            cache.Get<float>("c", $"k{i}")!.Dispose(); // mapped now, so the next gets are plain hits
        }

        foreach (string key in new[] { "k2", "k0", "k3", "k1" })
        {
            cache.Get<float>("c", key)!.Dispose();
        }

        // Each put over the budget evicts the entry whose last use is the oldest: first the four
        // in the order of their last hits, then the first new entry.
        for (int i = 0; i < 5; i++)
        {
            cache.Put<float>("c", $"new{i}", new float[QuarterMb], [QuarterMb]);
        }

        string[] evicted = [.. logger.Entries.Select(e => e.Message).Where(m => m.StartsWith("Evicted", StringComparison.Ordinal))];
        Assert.Equal(["k2", "k0", "k3", "k1", "new0"], evicted.Select(m => m.Split('\'')[1]));
        Assert.Equal(5, cache.GetStats().Evictions);
    }

    [Fact]
    public void Eviction_TakesTheLeastRecentlyUsedEvenWhenLeased_AndTheLeaseKeepsItsData()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 1));
        cache.Put<float>("c", "leased", TestData.Ramp(QuarterMb), [QuarterMb]);
        using MappedArray<float> lease = cache.Get<float>("c", "leased")!;

        for (int i = 0; i < 4; i++)
        {
            cache.Put<float>("c", $"k{i}", new float[QuarterMb], [QuarterMb]);
            Assert.True(cache.Has("c", $"k{i}")); // never the victim of its own admission
        }

        // The leased entry was the least recently used: it went first. Its bytes count until the
        // lease ends, so k0 (the next oldest) went too.
        Assert.False(cache.Has("c", "leased"));
        Assert.False(cache.Has("c", "leased"));
        Assert.True(cache.Has("c", "k1") && cache.Has("c", "k2") && cache.Has("c", "k3"));
        Assert.Equal(TestData.Ramp(QuarterMb), lease.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void NewCachedPuts_AreNotEvictedByAnOlderHeldEntry_TheIssueScenario()
    {
        // max_memory_mb=64, a held 90 MiB entry, then three 22.5 MiB puts: each put stays; the
        // held entry, least recently used, leaves the table (its lease still reads it).
        const int Big = 90 * 1024 * 1024 / sizeof(float), Small = 45 * 512 * 1024 / sizeof(float);
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 64));
        cache.Put<float>("c", "held", TestData.Ramp(Big), [Big]);
        using MappedArray<float> held = cache.Get<float>("c", "held")!;

        for (int i = 0; i < 3; i++)
        {
            cache.Put<float>("c", $"p{i}", new float[Small], [Small]);
            Assert.True(cache.Has("c", $"p{i}"), $"p{i} was evicted by its own put");
        }

        Assert.False(cache.Has("c", "held"));
        Assert.Equal(TestData.Ramp(Big)[^1], held.ReadOnlySpan[^1]);
    }

    [Fact]
    public void ALeaseEnding_GivesBackTheBytesOfItsEvictedEntry()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 1));
        cache.Put<float>("c", "leased", TestData.Ramp(QuarterMb), [QuarterMb]);
        MappedArray<float> lease = cache.Get<float>("c", "leased")!;
        for (int i = 0; i < 4; i++)
        {
            cache.Put<float>("c", $"k{i}", new float[QuarterMb], [QuarterMb]);
        }

        lease.Dispose();
        cache.Put<float>("c", "k4", new float[QuarterMb], [QuarterMb]);

        // The lease's bytes no longer count: k1..k4 fill the budget exactly, and k1 stays (had the
        // evicted entry's quarter still counted, k1 would have gone).
        Assert.True(cache.Has("c", "k1") && cache.Has("c", "k2") && cache.Has("c", "k3") && cache.Has("c", "k4"));
        Assert.Equal(2, cache.GetStats().Evictions);
        Assert.Equal(1.0, cache.GetStats().MemorySizeMb);
    }

    [Fact]
    public void Eviction_OfPersistentEntry_UnmapsButKeepsTheFile()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxMemoryMb: 1));
        for (int i = 0; i < 5; i++)
        {
            cache.Put<float>("p", $"k{i}", new float[QuarterMb], [QuarterMb]);
            cache.Get<float>("p", $"k{i}")!.Dispose();
        }

        CacheStats stats = cache.GetStats();
        Assert.Equal(1, stats.Evictions);
        Assert.Equal(4, stats.MemoryEntries);
        Assert.Equal(5, stats.DiskEntries);
        using MappedArray<float>? again = cache.Get<float>("p", "k0");
        Assert.NotNull(again);
    }

    [Fact]
    public void Put_SingleEntryLargerThanBudget_IsStillStored()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 1));
        cache.Put<float>("c", "small", new float[16], [16]);

        cache.Put<float>("c", "big", new float[1024 * 1024], [1024 * 1024]); // 4 MB, four times the budget

        using MappedArray<float>? big = cache.Get<float>("c", "big");
        Assert.NotNull(big);
        Assert.False(cache.Has("c", "small"));
    }
}
