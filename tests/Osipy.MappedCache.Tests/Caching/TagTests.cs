using System.Runtime.InteropServices;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>
/// Tags on Put, Create and GetOrCreate, and InvalidateTag: a withdrawn subject's entries leave the
/// directory whichever session wrote them and whatever their policy, raw copies included, and no
/// file keeps their bytes; other subjects' entries stay.
/// </summary>
public sealed class TagTests : IDisposable
{
    private const float Subject07 = 707.25f; // a value no other data here holds
    private const float Subject08 = 808.5f;

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void InvalidateTag_RemovesEveryEntryCarryingIt_FromEverySessionAndPolicy_AndNoFileKeepsTheirBytes()
    {
        using IntermediateCache a = Open();
        using IntermediateCache b = Open();
        a.Put<float>("dce", "sub-07", Filled(Subject07, 300_000), [300_000], tags: ["subject:07", "study:dce-2026"]);
        a.Put<float>("t1_archive", "sub-07", Filled(Subject07, 300_000), [300_000], tags: ["subject:07"]); // compressed, with a raw copy
        b.Put<float>("concentration", "sub-07", Filled(Subject07, 1000), [1000], tags: ["subject:07"]); // b's CACHED entry
        using (MappedArrayWriter<float> writer = b.Create<float>("fit", "sub-07", [1000], tags: ["subject:07"]))
        {
            writer.Span.Fill(Subject07);
            writer.Commit().Dispose();
        }

        a.Put<float>("dce", "sub-08", Filled(Subject08, 1000), [1000], tags: ["subject:08", "study:dce-2026"]);
        b.Put<float>("concentration", "sub-08", Filled(Subject08, 1000), [1000], tags: ["subject:08"]);
        Assert.NotEmpty(FilesHolding(Subject07));

        int removed = a.InvalidateTag("subject:07");

        Assert.Equal(4, removed);
        Assert.Empty(FilesHolding(Subject07));
        Assert.False(a.Has("dce", "sub-07"));
        Assert.False(b.Has("concentration", "sub-07"));
        Assert.Null(b.Get<float>("fit", "sub-07"));
        Assert.True(b.Has("dce", "sub-08"));
        Assert.True(a.Has("concentration", "sub-08"));
        Assert.Equal(2, FilesHolding(Subject08).Count);
        Assert.Equal(0, a.InvalidateTag("subject:07"));
    }

    [Fact]
    public void Tags_ComeBackWithTheEntry_AndStayOutOfItsMetadata()
    {
        using IntermediateCache cache = Open();
        cache.Put<float>("dce", "k", [1f], [1], new Dictionary<string, object?> { ["units"] = "mM" }, ["subject:07", "study:dce-2026", "subject:07"]);
        using MappedArray<float> made = cache.GetOrCreate<float>("t1", "k", [2], writer => writer.Span.Fill(3), tags: ["subject:07"]);

        CacheEntry entry = cache.GetEntry("dce", "k")!;
        Assert.Equal(["subject:07", "study:dce-2026"], entry.Tags);
        Assert.Equal(new Dictionary<string, object?> { ["units"] = "mM" }, entry.Metadata);
        Assert.Equal(["subject:07"], made.Entry.Tags);
        Assert.Empty(cache.GetEntry("t1", "k")!.Metadata);
        cache.Put<float>("dce", "untagged", [1f], [1]);
        Assert.Empty(cache.GetEntry("dce", "untagged")!.Tags);
    }

    [Theory]
    [InlineData("")]
    [InlineData("line\nbreak")]
    public void ABadTag_IsRefused_AndNothingIsWritten(string tag)
    {
        using IntermediateCache cache = Open();

        Assert.Throws<ArgumentException>(() => cache.Put<float>("dce", "k", [1f], [1], tags: [tag]));
        Assert.Throws<ArgumentException>(() => cache.InvalidateTag(tag));
        Assert.Empty(_dir.SegmentFiles());
    }

    [Fact]
    public void TheReservedMetadataProperty_IsRefused_AndALongTagListToo()
    {
        using IntermediateCache cache = Open();

        ArgumentException reserved = Assert.Throws<ArgumentException>(() => cache.Put<float>("dce", "k", [1f], [1], new Dictionary<string, object?> { ["osipy_tags"] = "x" }));
        Assert.Contains("reserved", reserved.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => cache.Put<float>("dce", "k", [1f], [1], tags: [.. Enumerable.Range(0, 65).Select(i => $"t{i}")]));
    }

    [Fact]
    public void ALeaseOnAnErasedEntry_KeepsItsBytesUntilDisposed_AndTheNextGetMisses()
    {
        using IntermediateCache cache = Open();
        cache.Put<float>("dce", "k", Filled(Subject07, 10), [10], tags: ["subject:07"]);
        using MappedArray<float> lease = cache.Get<float>("dce", "k")!;

        cache.InvalidateTag("subject:07");

        Assert.Equal(Filled(Subject07, 10), lease.ReadOnlySpan.ToArray());
        Assert.Null(cache.Get<float>("dce", "k"));
    }

    private IntermediateCache Open() => new(_dir.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0) with
    {
        Policies = new Dictionary<string, RetentionPolicy> { ["concentration"] = RetentionPolicy.Cached, ["fit"] = RetentionPolicy.Cached },
        CompressionByType = new Dictionary<string, bool> { ["t1_archive"] = true },
    });

    private static float[] Filled(float value, int length) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>Files anywhere under the test's directory whose bytes hold 64 consecutive copies of <paramref name="value"/> (an entry's data).</summary>
    private List<string> FilesHolding(float value) =>
        FileContents.FilesHolding(_dir.Root, MemoryMarshal.AsBytes(Filled(value, 64).AsSpan()).ToArray());
}
