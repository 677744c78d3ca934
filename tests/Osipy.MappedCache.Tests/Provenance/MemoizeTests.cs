using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary>Memoize: computed once (across real processes too), recomputed when an argument changes, stored with its provenance; TRANSIENT computes every time.</summary>
public sealed class MemoizeTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FourProcesses_ComputeOnce_AndAChangedArgumentRecomputes_WhichExplainNames()
    {
        string counts = Directory.CreateDirectory(Path.Combine(_dir.Root, "computed")).FullName;
        var children = Enumerable.Range(0, 4).Select(_ => ChildProcess.Start("memoize", _dir.CachePath, counts, "15")).ToList();
        List<string> results = MemoizeChildren.AskAtOnce(children);

        Assert.Single(Directory.GetFiles(counts));
        Assert.Single(results.Distinct());
        Assert.Contains("first=1032", results[0], StringComparison.Ordinal);

        string explained = MemoizeChildren.ExplainThenCompute(ChildProcess.Start("memoize", _dir.CachePath, counts, "12"));

        Assert.Equal("explain hit=False changed=argument flip_angles: [2, 5, 10, 15] → [2, 5, 10, 12]", explained);
        Assert.Equal(2, Directory.GetFiles(counts).Length);
    }

    [Fact]
    public void Memoize_StoresTheProvenance_AndAHitDoesNotCompute()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        ProvenanceKey key = ProvenanceKey.For("fit_t1").Argument("flip_angles", new[] { 2, 5 }).Version("2").Build();
        int computed = 0;
        float[] Compute()
        {
            computed++;
            return [1f, 2f, 3f];
        }

        using (cache.Memoize("t1_map", key, [3], Compute))
        using (MappedArray<float> again = cache.Memoize("t1_map", key, [3], Compute))
        {
            Assert.Equal([1f, 2f, 3f], again.ReadOnlySpan.ToArray());
        }

        Assert.Equal(1, computed);
        ProvenanceKey stored = cache.GetEntry("t1_map", key.Key)!.Provenance!;
        Assert.Equal("fit_t1", stored.Function);
        Assert.Equal(key.Components, stored.Components);
        Assert.True(cache.Explain("t1_map", key).Hit);
    }

    [Fact]
    public void MemoizeOfAnArrayOfAnyShape_ComputesOnce_AndKeepsItsShape()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        ProvenanceKey key = ProvenanceKey.For("fit_tofts").Argument("hematocrit", 0.42).Build();
        int computed = 0;
        Array Compute()
        {
            computed++;
            return new float[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } };
        }

        using (cache.Memoize("ktrans", key, Compute))
        using (MappedArray again = cache.Memoize("ktrans", key, Compute))
        {
            Assert.Equal([2, 3], again.Shape);
            Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], again.As<float>().ReadOnlySpan.ToArray());
        }

        Assert.Equal(1, computed);
        Assert.Equal("fit_tofts", cache.GetEntry("ktrans", key.Key)!.Provenance!.Function);
    }

    [Fact]
    public void MemoizeOfAnArrayOfAnyShape_ForATransientType_ComputesEachTime_AndMapsTheResult()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Transient));
        ProvenanceKey key = ProvenanceKey.For("fit").Build();
        int computed = 0;

        for (int i = 0; i < 2; i++)
        {
            using MappedArray result = cache.Memoize("scratch", key, () => new double[] { ++computed, 7.0 });
            Assert.Equal([(double)computed, 7.0], result.As<double>().ReadOnlySpan.ToArray());
        }

        Assert.Equal(2, computed);
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void ATransientType_IsComputedEveryTime()
    {
        CacheConfig config = _dir.Config(RetentionPolicy.Transient);
        using var cache = new IntermediateCache(config);
        ProvenanceKey key = ProvenanceKey.For("fit").Argument("x", 1).Build();
        int computed = 0;

        cache.Memoize<int>("scratch", key, [1], () => [++computed]).Dispose();
        cache.Memoize<int>("scratch", key, [1], () => [++computed]).Dispose();

        Assert.Equal(2, computed);
    }
}
