using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary>Explain, without computing: the nearest entry of the function and one line per differing component.</summary>
public sealed class ExplainTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Explain_WithNoEarlierEntry_SaysSo()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));

        ExplainResult explained = cache.Explain("t1_map", ProvenanceKey.For("fit_t1").Argument("x", 1).Build());

        Assert.False(explained.Hit);
        Assert.Null(explained.NearestKey);
        Assert.Equal(["no earlier entry of fit_t1 in t1_map"], explained.Changed);
    }

    [Fact]
    public void Explain_PicksTheEntryWithTheFewestDifferences_AndNamesAddedRemovedAndVersion()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        ProvenanceKey far = ProvenanceKey.For("fit").Argument("a", 1).Argument("b", 99).Argument("c", 3).Build();
        ProvenanceKey near = ProvenanceKey.For("fit").Argument("a", 1).Argument("b", 2).Argument("gone", "x").Build();
        cache.Put<float>("t1_map", far, [1f], [1]);
        cache.Put<float>("t1_map", near, [1f], [1]);

        ExplainResult explained = cache.Explain("t1_map", ProvenanceKey.For("fit").Argument("a", 1).Argument("b", 2).Argument("new", 0.5).Version("3").Build());

        Assert.Equal(near.Key, explained.NearestKey);
        Assert.Equal(["argument gone removed (was 'x')", "argument new added: 0.5", "version: none → '3'"], explained.Changed);
    }

    [Fact]
    public void Explain_AmongEquallyNearEntries_PicksTheNewest()
    {
        var clock = new ManualClock();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0), clock);
        ProvenanceKey older = ProvenanceKey.For("fit").Argument("te", 1).Build();
        ProvenanceKey newer = ProvenanceKey.For("fit").Argument("te", 2).Build();
        cache.Put<float>("t1_map", newer, [1f], [1]);
        clock.Advance(TimeSpan.FromMinutes(1));
        cache.Put<float>("t1_map", older, [1f], [1]);

        ExplainResult explained = cache.Explain("t1_map", ProvenanceKey.For("fit").Argument("te", 3).Build());

        Assert.Equal(older.Key, explained.NearestKey);
        Assert.Equal(["argument te: 1 → 3"], explained.Changed);
    }

    [Fact]
    public void Explain_IgnoresEntriesOfOtherFunctions_AndEntriesWithoutProvenance()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        cache.Put<float>("t1_map", ProvenanceKey.For("other_fit").Argument("te", 3).Build(), [1f], [1]);
        cache.Put<float>("t1_map", "fit@by-hand", [1f], [1]);

        ExplainResult explained = cache.Explain("t1_map", ProvenanceKey.For("fit").Argument("te", 3).Build());

        Assert.Null(explained.NearestKey);
        Assert.Equal(["no earlier entry of fit in t1_map"], explained.Changed);
    }
}
