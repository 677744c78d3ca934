using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Mapping;

/// <summary>One mapping per segment however many leases; and a bounded number of mappings overall.</summary>
public sealed class MappingCountTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ManyLeasesOnOneKey_ShareOneMapping()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", TestData.Ramp(10_000), [10_000]);

        var leases = Enumerable.Range(0, 100).Select(_ => cache.Get<float>("t", "k")!).ToList();

        Assert.Equal(1, MappingsUnder(_dir.CachePath));
        leases.ForEach(lease => lease.Dispose());
    }

    [Fact]
    public void ManyEntries_StayWithinMaxMappedSegments_AndAllRemainReadable()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { MaxMappedSegments = 64 });
        const int Entries = 2000;
        for (int i = 0; i < Entries; i++)
        {
            cache.Put<int>("t", $"k{i}", [i], [1]);
            using MappedArray<int> view = cache.Get<int>("t", $"k{i}")!;
            Assert.Equal(i, view.Span[0]);
        }

        Assert.InRange(MappingsUnder(_dir.CachePath), 1, 64);
        using MappedArray<int> first = cache.Get<int>("t", "k0")!;
        Assert.Equal(0, first.Span[0]);
        Assert.Equal(0, cache.GetStats().Evictions); // unmapping for the bound is not an eviction: nothing was dropped
    }

    [Fact]
    public void MappingBound_NeverDropsThisSessionsCachedData()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached) with { MaxMappedSegments = 4 });
        for (int i = 0; i < 50; i++)
        {
            cache.Put<int>("t", $"k{i}", [i], [1]);
            cache.Get<int>("t", $"k{i}")!.Dispose();
        }

        Assert.InRange(MappingsUnder(_dir.CachePath), 1, 4);
        Assert.Equal(50, cache.GetStats().MemoryEntries);
        for (int i = 0; i < 50; i++)
        {
            using MappedArray<int> view = cache.Get<int>("t", $"k{i}")!;
            Assert.Equal(i, view.Span[0]);
        }
    }

    [Fact]
    public void MaxMappedSegments_BelowOne_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntermediateCache(_dir.Config() with { MaxMappedSegments = 0 }));
    }

    /// <summary>Lines of /proc/self/maps naming a segment under <paramref name="directory"/> (not the one shared generation table).</summary>
    private static int MappingsUnder(string directory) =>
        File.ReadLines("/proc/self/maps").Count(line => line.Contains(directory + "/", StringComparison.Ordinal) && !line.EndsWith("/generations", StringComparison.Ordinal) && !line.EndsWith("/last-use", StringComparison.Ordinal));
}
