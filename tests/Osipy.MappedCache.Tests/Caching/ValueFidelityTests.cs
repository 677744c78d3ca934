using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>
/// Metadata comes back as it was given: numbers keep their kind (a float stays a float even when
/// integral, an integer stays an integer),, in this session and in the next.
/// </summary>
public sealed class ValueFidelityTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Metadata_FloatsStayFloats_AndIntegersStayIntegers_AcrossSessions()
    {
        var metadata = new Dictionary<string, object?>
        {
            ["tr"] = 1400.0,
            ["fa"] = new[] { 2.0, 15.0 },
            ["te"] = 1.5f,
            ["slices"] = 32,
            ["big"] = ulong.MaxValue,
            ["nested"] = new Dictionary<string, object?> { ["r1"] = 4.0, ["n"] = 3L },
        };
        using (IntermediateCache writer = new(_dir.Config(RetentionPolicy.Persistent)))
        {
            writer.Put<float>("t1_map", "sub-01", [1f], [1], metadata);
        }

        using IntermediateCache reader = new(_dir.Config(RetentionPolicy.Persistent));
        IReadOnlyDictionary<string, object?> back = reader.GetEntry("t1_map", "sub-01")!.Metadata;

        Assert.Equal(1400.0, Assert.IsType<double>(back["tr"]));
        object?[] fa = Assert.IsType<object?[]>(back["fa"]);
        Assert.Equal(2.0, Assert.IsType<double>(fa[0]));
        Assert.Equal(15.0, Assert.IsType<double>(fa[1]));
        Assert.Equal(1.5, Assert.IsType<double>(back["te"]));
        Assert.Equal(32L, Assert.IsType<long>(back["slices"]));
        Assert.Equal(ulong.MaxValue, Assert.IsType<ulong>(back["big"]));
        var nested = Assert.IsType<Dictionary<string, object?>>(back["nested"]);
        Assert.Equal(4.0, Assert.IsType<double>(nested["r1"]));
        Assert.Equal(3L, Assert.IsType<long>(nested["n"]));
        Assert.Contains("\"tr\":1400.0", reader.GetEntry("t1_map", "sub-01")!.MetadataJson, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_ASingleFloat_KeepsItsShortestDigits()
    {
        using IntermediateCache cache = new(_dir.Config());
        cache.Put<float>("fit", "k", [1f], [1], new Dictionary<string, object?> { ["r2"] = 0.1f, ["tiny"] = 1e-7, ["huge"] = 1e30 });

        string json = cache.GetEntry("fit", "k")!.MetadataJson;

        Assert.Contains("\"r2\":0.1,", json, StringComparison.Ordinal);
        Assert.Equal(1e-7, cache.GetEntry("fit", "k")!.Metadata["tiny"]);
        Assert.Equal(1e30, cache.GetEntry("fit", "k")!.Metadata["huge"]);
    }
}
