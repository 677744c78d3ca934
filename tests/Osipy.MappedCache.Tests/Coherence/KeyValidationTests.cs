using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Coherence;

/// <summary>Keys, result types and bundle names are text: invalid UTF-16 is refused, never replaced by U+FFFD.</summary>
public sealed class KeyValidationTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Code units, not strings: theory data is serialised, and a lone surrogate would not survive it.
    [Theory]
    [InlineData("", 0xD800, "")]
    [InlineData("", 0xDC00, "")]
    [InlineData("a", 0xD800, "b")]
    [InlineData("\uD83E\uDDE0", 0xDC00, "")] // a valid pair, then a lone low surrogate
    public void Put_Get_Has_Invalidate_Create_WithLoneSurrogateKey_ThrowArgumentException(string before, int unit, string after)
    {
        string key = before + (char)unit + after;
        using var cache = new IntermediateCache(_dir.Config());

        Assert.Throws<ArgumentException>(() => cache.Put<float>("t", key, [1f], [1]));
        Assert.Throws<ArgumentException>(() => cache.Put<float>(key, "k", [1f], [1]));
        Assert.Throws<ArgumentException>(() => cache.Get<float>("t", key));
        Assert.Throws<ArgumentException>(() => cache.GetBundle(key, "k"));
        Assert.Throws<ArgumentException>(() => cache.GetEntry("t", key));
        Assert.Throws<ArgumentException>(() => cache.Has("t", key));
        Assert.Throws<ArgumentException>(() => cache.Invalidate("t", key));
        Assert.Throws<ArgumentException>(() => cache.Verify("t", key));
        Assert.Throws<ArgumentException>(() => cache.Create<float>("t", key, [1]));
        Assert.Throws<ArgumentException>(() => cache.Clear(key));
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void ReplacementCharacterKey_IsItsOwnKey_NotALoneSurrogate()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "\uFFFD", [7f], [1]);

        Assert.Throws<ArgumentException>(() => cache.Get<float>("t", "\uDC00"));
        using MappedArray<float> hit = cache.Get<float>("t", "\uFFFD")!;
        Assert.Equal(7f, hit.ReadOnlySpan[0]);
        Assert.Equal(0, cache.GetStats().CorruptSegments);
    }

    [Fact]
    public void ValidSurrogatePairKey_RoundTrips()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "subject-\U0001F9E0", [3f], [1]);

        using MappedArray<float> hit = cache.Get<float>("t", "subject-\U0001F9E0")!;
        Assert.Equal("subject-\U0001F9E0", hit.Entry.Key);
    }

    [Fact]
    public void BundleNames_WithLoneSurrogates_AreRefused_AndNothingIsWritten()
    {
        using var cache = new IntermediateCache(_dir.Config());
        var arrays = new Dictionary<string, Array> { ["\uD800"] = new float[] { 1f }, ["\uDC00"] = new float[] { 2f } };

        ArgumentException error = Assert.Throws<ArgumentException>(() => cache.Put("t", "k", arrays));
        Assert.Contains("array name", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_dir.SegmentFiles());
        Assert.Null(cache.GetBundle("t", "k"));
    }
}
