using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// The demo's memoized voxel-wise fit (README, set-up command 1): a second run synthesises and
/// stores the concentration curves anew (CACHED), yet finds the fitted map, because the map's
/// provenance key is made from the curves' stored checksum, the fit's parameters and its code.
/// </summary>
public sealed class DemoMemoizeTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Demo_RunTwice_TheSecondRunFindsTheMemoizedFit_AndExplainNamesTheChangedParameter()
    {
        (int firstExit, string first, string firstError) = OsipyCacheTool.Run("demo", "--size", "16x16x4x20", "--cache-dir", _dir.CachePath);
        (int secondExit, string second, string secondError) = OsipyCacheTool.Run("demo", "--size", "16x16x4x20", "--cache-dir", _dir.CachePath);

        Assert.True(firstExit == 0, firstError + first);
        Assert.True(secondExit == 0, secondError + second);
        Assert.Contains("upslope map fitted and stored (PERSISTENT)", first);
        Assert.Contains("upslope map found (same inputs and code: not refitted)", second);
        Assert.DoesNotContain("upslope map fitted", second);
        Assert.Contains("explain, fitting 5 frames instead: miss; argument frames: 6 → 5", second);
        Assert.Contains("[ok] the memoized upslope map equals a direct fit", second);

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        StoredSegment map = Assert.Single(cache.ListSegments("upslope_map"));
        Assert.Equal("upslope_fit", map.Entry.Provenance!.Function);
        Assert.Equal(["argument concentration", "argument first_frame", "argument frame_seconds", "argument frames", "code upslope_fit", "helper UpslopeFit.Square"],
            map.Entry.Provenance.Components.Keys.Order(StringComparer.Ordinal));
    }
}
