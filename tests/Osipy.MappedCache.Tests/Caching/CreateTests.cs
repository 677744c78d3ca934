using Osipy.MappedCache.Files;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>The zero-copy writer: fill a new segment in place, then publish it.</summary>
public sealed class CreateTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_FillInPlace_Commit_PublishesForOtherSessions()
    {
        using (var producer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent)))
        {
            using MappedArrayWriter<float> writer = producer.Create<float>("concentration", "k", [4, 3, 5], new Dictionary<string, object?> { ["model"] = "tofts" });
            var rows = writer.AsSpan2D();
            Assert.Equal(12, rows.Height);
            Assert.Equal(5, rows.Width);
            for (int r = 0; r < rows.Height; r++)
            {
                for (int c = 0; c < rows.Width; c++)
                {
                    rows[r, c] = (r * 5) + c;
                }
            }

            Assert.False(producer.Has("concentration", "k"));
            using MappedArray<float> committed = writer.Commit();
            Assert.Equal(59f, committed.Span[59]);
        }

        using var consumer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> view = consumer.Get<float>("concentration", "k")!;
        Assert.Equal(TestData.Ramp(60).Select(v => v * 2).ToArray(), view.ReadOnlySpan.ToArray());
        Assert.Equal([4, 3, 5], view.Shape);
        Assert.Equal("tofts", view.Entry.Metadata["model"]);
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Commit_WritesTheSameChecksumAsPutOfTheSameData()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        float[] data = TestData.Ramp(3000);
        cache.Put<float>("t", "via-put", data, [3000]);
        using (MappedArrayWriter<float> writer = cache.Create<float>("t", "via-new", [3000]))
        {
            data.CopyTo(writer.Span);
            writer.Commit().Dispose();
        }

        using OpenedSegment put = SegmentReader.TryOpen(SegmentPaths.Single(cache, "t", "via-put"))!;
        using OpenedSegment created = SegmentReader.TryOpen(SegmentPaths.Single(cache, "t", "via-new"))!;
        Assert.Equal(put.Record.Arrays[0].PayloadChecksum, created.Record.Arrays[0].PayloadChecksum);
        Assert.Equal(put.Length, created.Length); // keys of equal length: identical layouts
    }

    [Fact]
    public void Dispose_WithoutCommit_LeavesNothing()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", [1f], [1]);

        using (MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [1000]))
        {
            writer.Span.Fill(9f);
        }

        using MappedArray<float> old = cache.Get<float>("t", "k")!;
        Assert.Equal([1f], old.ReadOnlySpan.ToArray());
        Assert.Single(_dir.SegmentFiles());
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Commit_OverKeyUnderLease_ReplacesIt_LeaseKeepsOldData()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<int>("t", "k", [1, 2], [2]);
        using MappedArray<int> old = cache.Get<int>("t", "k")!;

        using MappedArrayWriter<int> writer = cache.Create<int>("t", "k", [3]);
        writer.Span.Fill(7);
        using MappedArray<int> fresh = writer.Commit();

        Assert.Equal([1, 2], old.ReadOnlySpan.ToArray());
        Assert.Equal([7, 7, 7], fresh.ReadOnlySpan.ToArray());
        using MappedArray<int> again = cache.Get<int>("t", "k")!;
        Assert.Equal([7, 7, 7], again.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void WriterViews_AfterCommit_AreInvalid_AndCommitTwiceThrows()
    {
        using var cache = new IntermediateCache(_dir.Config());
        MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [8]);
        Memory<float> memory = writer.Memory;

        writer.Commit().Dispose();

        Assert.Throws<ObjectDisposedException>(() => writer.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => memory.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => writer.Commit());
        writer.Dispose();
    }

    [Fact]
    public void Transient_Create_GivesDataButPublishesNothing()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Transient));

        using MappedArrayWriter<double> writer = cache.Create<double>("scratch", "k", [10]);
        writer.Span.Fill(2.5);
        Assert.Empty(TempCacheDirectory.FilesButHousekeeping(_dir.CachePath));
        using MappedArray<double> lease = writer.Commit();

        Assert.Equal(25.0, lease.ReadOnlySpan.ToArray().Sum());
        Assert.Null(cache.Get<double>("scratch", "k"));
        Assert.Empty(TempCacheDirectory.FilesButHousekeeping(_dir.CachePath));
    }

    [Fact]
    public void Create_BadShape_Throws_AndLeavesNothing()
    {
        using var cache = new IntermediateCache(_dir.Config());

        Assert.Throws<ArgumentException>(() => cache.Create<float>("t", "k", [-1]));
        Assert.Throws<ArgumentException>(() => cache.Create<float>("t", "k", [int.MaxValue, int.MaxValue, int.MaxValue]));
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }
}
