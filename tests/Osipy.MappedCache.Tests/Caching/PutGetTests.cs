using System.Numerics;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

public sealed class PutGetTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();
    private readonly IntermediateCache _cache;

    public PutGetTests() => _cache = new IntermediateCache(_dir.Config());

    public void Dispose()
    {
        _cache.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Get_AfterPutOfSpan_ReturnsSameValuesAndShape()
    {
        float[] data = TestData.Ramp(2 * 3 * 4);
        _cache.Put<float>("t1_map", "k", data, [2, 3, 4]);

        using MappedArray<float>? view = _cache.Get<float>("t1_map", "k");

        Assert.NotNull(view);
        Assert.Equal([2, 3, 4], view.Shape);
        Assert.Equal(24, view.Length);
        Assert.Equal(data, view.ReadOnlySpan.ToArray());
        Assert.Equal(data, view.ReadOnlyMemory.ToArray());
    }

    [Fact]
    public void Get_AfterPutOfMultidimensionalArray_TakesShapeFromRanks()
    {
        float[,,,] dce = TestData.Dce(4, 3, 2, 5);
        _cache.Put("concentration", "dce", dce);

        using MappedArray<float>? view = _cache.Get<float>("concentration", "dce");

        Assert.NotNull(view);
        Assert.Equal([4, 3, 2, 5], view.Shape);
        Assert.Equal(dce[3, 2, 1, 4], view.Span[^1]);
        Assert.Equal(dce[1, 2, 0, 3], view.Span[(((1 * 3) + 2) * 2 + 0) * 5 + 3]);
    }

    [Fact]
    public void AsSpan2D_IsVoxelsByTimePoints()
    {
        float[,,,] dce = TestData.Dce(4, 3, 2, 5);
        _cache.Put("concentration", "dce", dce);
        using MappedArray<float> view = _cache.Get<float>("concentration", "dce")!;

        var span2D = view.AsSpan2D();
        var memory2D = view.AsReadOnlyMemory2D();

        Assert.Equal(24, span2D.Height);
        Assert.Equal(5, span2D.Width);
        Assert.Equal(dce[2, 1, 1, 3], span2D[(2 * 3 + 1) * 2 + 1, 3]);
        Assert.Equal(span2D.GetRowSpan(7).ToArray(), view.GetRowSpan(7).ToArray());
        Assert.Equal(span2D[23, 4], memory2D.Span[23, 4]);
        Assert.Equal(24, view.RowCount);
        Assert.Equal(5, view.RowLength);
    }

    [Fact]
    public void RoundTrip_EveryElementType()
    {
        AssertRoundTrip(new float[] { 1.5f, -2, float.MaxValue });
        AssertRoundTrip(new double[] { Math.PI, -0.0, double.Epsilon });
        AssertRoundTrip(new short[] { short.MinValue, 0, short.MaxValue });
        AssertRoundTrip(new ushort[] { 0, 1, ushort.MaxValue });
        AssertRoundTrip(new int[] { int.MinValue, 7, int.MaxValue });
        AssertRoundTrip(new long[] { long.MinValue, 7, long.MaxValue });
        AssertRoundTrip(new byte[] { 0, 128, 255 });
        AssertRoundTrip(new sbyte[] { -128, 0, 127 });
        AssertRoundTrip(new uint[] { 0, uint.MaxValue });
        AssertRoundTrip(new ulong[] { 0, ulong.MaxValue });
        AssertRoundTrip(new Half[] { (Half)1.5, Half.MaxValue });
        AssertRoundTrip(new Complex[] { new(1, -1), Complex.ImaginaryOne });
    }

    [Fact]
    public void Get_WithOtherElementType_ThrowsNamingBothTypes()
    {
        _cache.Put<float>("t1_map", "k", TestData.Ramp(4), [4]);

        var error = Assert.Throws<InvalidCastException>(() => _cache.Get<double>("t1_map", "k"));

        Assert.Contains("float32", error.Message, StringComparison.Ordinal);
        Assert.Contains("float64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_ShapeNotMatchingData_ThrowsAndStoresNothing()
    {
        Assert.Throws<ArgumentException>(() => _cache.Put<float>("t", "k", TestData.Ramp(6), [2, 4]));
        Assert.Throws<ArgumentException>(() => _cache.Put<float>("t", "k", TestData.Ramp(6), [-2, -3]));
        Assert.Throws<ArgumentException>(() => _cache.Put<float>("t", "k", TestData.Ramp(6), new int[33]));
        Assert.Empty(_dir.SegmentFiles());
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Put_UnsupportedElementType_Throws()
    {
        Assert.Throws<NotSupportedException>(() => _cache.Put("t", "k", new char[] { 'a' }));
        Assert.Throws<NotSupportedException>(() => _cache.Put("t", "k", new float[][] { [1f] }));
    }

    [Fact]
    public void ZeroSizedAndScalarArrays_RoundTrip()
    {
        _cache.Put<float>("t", "empty", [], [0, 5]);
        _cache.Put<double>("t", "scalar", [42.0], []);

        using MappedArray<float> empty = _cache.Get<float>("t", "empty")!;
        using MappedArray<double> scalar = _cache.Get<double>("t", "scalar")!;

        Assert.Equal(0, empty.Length);
        Assert.Equal([0, 5], empty.Shape);
        Assert.Equal(0, empty.AsSpan2D().Height);
        Assert.Empty(scalar.Shape);
        Assert.Equal(42.0, scalar.Span[0]);
    }

    [Fact]
    public void Metadata_RoundTripsJsonValues()
    {
        var metadata = new Dictionary<string, object?>
        {
            ["units"] = "ms",
            ["flip_angles"] = new[] { 2, 5, 10, 15 },
            ["tr"] = 4.5,
            ["n"] = 3L,
            ["fitted"] = true,
            ["missing"] = null,
            ["nested"] = new Dictionary<string, object?> { ["model"] = "tofts" },
        };
        _cache.Put<float>("t1_map", "k", TestData.Ramp(4), [4], metadata);

        CacheEntry entry = _cache.GetEntry("t1_map", "k")!;

        Assert.Equal("ms", entry.Metadata["units"]);
        Assert.Equal(new object?[] { 2L, 5L, 10L, 15L }, (object?[])entry.Metadata["flip_angles"]!);
        Assert.Equal(4.5, entry.Metadata["tr"]);
        Assert.Equal(3L, entry.Metadata["n"]);
        Assert.Equal(true, entry.Metadata["fitted"]);
        Assert.Null(entry.Metadata["missing"]);
        Assert.Equal("tofts", ((IReadOnlyDictionary<string, object?>)entry.Metadata["nested"]!)["model"]);
    }

    [Fact]
    public void Metadata_NotJsonable_ThrowsBeforeWriting()
    {
        var metadata = new Dictionary<string, object?> { ["bad"] = new object(), };

        Assert.Throws<ArgumentException>(() => _cache.Put<float>("t", "k", TestData.Ramp(4), [4], metadata));
        Assert.Throws<ArgumentException>(() => _cache.Put<float>("t", "k", TestData.Ramp(4), [4], new Dictionary<string, object?> { ["nan"] = double.NaN }));
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void Bundle_RoundTripsNamedArraysInOrder()
    {
        var arrays = new Dictionary<string, Array>
        {
            ["ktrans"] = new float[,] { { 1, 2 }, { 3, 4 } },
            ["ve"] = new double[] { 0.1, 0.2, 0.3 },
            ["mask"] = new byte[] { 1, 0, 1 },
        };
        _cache.Put("pk_params", "subject-01", arrays, new Dictionary<string, object?> { ["model"] = "extended_tofts" });

        using MappedBundle bundle = _cache.GetBundle("pk_params", "subject-01")!;

        Assert.Equal(["ktrans", "ve", "mask"], bundle.Keys);
        Assert.Equal([2, 2], bundle["ktrans"].Shape);
        Assert.Equal(4f, bundle.Get<float>("ktrans").Span[3]);
        Assert.Equal([0.1, 0.2, 0.3], bundle.Get<double>("ve").ReadOnlySpan.ToArray());
        Assert.Equal(typeof(byte), bundle["mask"].ElementType);
        Assert.True(bundle.Entry.IsBundle);
        Assert.Equal(["ktrans", "ve", "mask"], bundle.Entry.ArrayNames);
        Assert.Equal("extended_tofts", bundle.Entry.Metadata["model"]);
        Assert.Throws<InvalidCastException>(() => bundle.Get<int>("ve"));
        Assert.Throws<KeyNotFoundException>(() => bundle.Get<int>("kep"));
    }

    [Fact]
    public void GetOfOtherKind_ThrowsNamingTheRightMethod()
    {
        _cache.Put("t", "bundle", new Dictionary<string, Array> { ["a"] = new float[] { 1 } });
        _cache.Put<float>("t", "single", [1f], [1]);

        Assert.Contains("GetBundle", Assert.Throws<InvalidOperationException>(() => _cache.Get<float>("t", "bundle")).Message, StringComparison.Ordinal);
        Assert.Contains("Get<T>", Assert.Throws<InvalidOperationException>(() => _cache.GetBundle("t", "single")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Put_BundleOverSingle_ReplacesIt()
    {
        _cache.Put<float>("t", "k", [1f], [1]);
        _cache.Put("t", "k", new Dictionary<string, Array> { ["a"] = new float[] { 2 } });

        Assert.Single(_dir.SegmentFiles());
        using MappedBundle bundle = _cache.GetBundle("t", "k")!;
        Assert.Equal(2f, bundle.Get<float>("a").Span[0]);
    }

    [Fact]
    public void GetEntry_DescribesWithoutMapping()
    {
        var clock = new ManualClock();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent), clock);
        cache.Put<short>("mask", "k", new short[12], [3, 4]);

        CacheEntry entry = cache.GetEntry("mask", "k")!;

        Assert.Equal("k", entry.Key);
        Assert.Equal("mask", entry.ResultType);
        Assert.Equal(clock.GetUtcNow(), entry.CreatedAt);
        Assert.Equal(24, entry.SizeBytes);
        Assert.Equal(typeof(short), entry.ElementType);
        Assert.Equal([3, 4], entry.Shape);
        Assert.Equal(RetentionPolicy.Persistent, entry.Policy);
        Assert.True(cache.Has("mask", "k"));
        Assert.Equal(0, cache.GetStats().MemoryEntries);
    }

    [Fact]
    public void Has_AbsentKey_IsFalse_AndCountsNoMiss()
    {
        Assert.False(_cache.Has("t", "absent"));
        Assert.Null(_cache.GetEntry("t", "absent"));
        Assert.Equal(0, _cache.GetStats().Misses);
    }

    [Fact]
    public void Invalidate_RemovesEntryAndFile()
    {
        _cache.Put<float>("t", "k", [1f], [1]);

        _cache.Invalidate("t", "k");

        Assert.False(_cache.Has("t", "k"));
        Assert.Null(_cache.Get<float>("t", "k"));
        Assert.Empty(_dir.SegmentFiles());
        _cache.Invalidate("t", "never-stored");
    }

    [Fact]
    public void Clear_ByType_LeavesOtherTypes()
    {
        _cache.Put<float>("t1_map", "a", [1f], [1]);
        _cache.Put<float>("t1_map", "b", [1f], [1]);
        _cache.Put<float>("concentration", "a", [1f], [1]);

        _cache.Clear("t1_map");

        Assert.False(_cache.Has("t1_map", "a"));
        Assert.False(_cache.Has("t1_map", "b"));
        Assert.True(_cache.Has("concentration", "a"));
        Assert.Single(_dir.SegmentFiles());
    }

    [Fact]
    public void Clear_All_RemovesEverything()
    {
        _cache.Put<float>("t1_map", "a", [1f], [1]);
        _cache.Put<float>("concentration", "a", [1f], [1]);

        _cache.Clear();

        Assert.Empty(_dir.SegmentFiles());
        Assert.Equal(0, _cache.GetStats().MemoryEntries);
    }

    [Fact]
    public void Keys_AnyUnicodeOrPathLikeText_StayInsideTheCacheDirectory()
    {
        string[] keys = ["../../etc/passwd", "/abs/path", "Ünïcødé ∂ 🧠", "a\0b", "", new string('k', 5000)];
        foreach (string key in keys)
        {
            _cache.Put<int>("../type/..", key, [key.Length], [1]);
        }

        foreach (string key in keys)
        {
            using MappedArray<int> view = _cache.Get<int>("../type/..", key)!;
            Assert.Equal(key.Length, view.Span[0]);
        }

        Assert.All(_dir.SegmentFiles(), f => Assert.StartsWith(_dir.CachePath + "/", f, StringComparison.Ordinal));
        Assert.Equal(keys.Length, _dir.SegmentFiles().Length);
        Assert.Equal(keys.Length, TempCacheDirectory.FilesButHousekeeping(_dir.Root).Length);
    }

    [Fact]
    public void Put_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => _cache.Put<float>(null!, "k", [1f], [1]));
        Assert.Throws<ArgumentNullException>(() => _cache.Put<float>("t", (string)null!, [1f], [1]));
        Assert.Throws<ArgumentNullException>(() => _cache.Get<float>("t", (string)null!));
        Assert.Throws<ArgumentNullException>(() => _cache.Put("t", "k", (Array)null!));
    }

    private void AssertRoundTrip<T>(T[] values)
        where T : unmanaged
    {
        string key = typeof(T).Name;
        _cache.Put<T>("types", key, values, [values.Length]);
        using MappedArray<T> view = _cache.Get<T>("types", key)!;
        Assert.Equal(values, view.ReadOnlySpan.ToArray());
        Assert.Equal(typeof(T), view.Entry.ElementType);
    }
}
