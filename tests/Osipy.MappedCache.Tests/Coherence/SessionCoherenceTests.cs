using System.Buffers;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Coherence;

/// <summary>
/// Several sessions on one directory. The rule: a get in any session sees what is published on
/// disk at the time of the get; a lease keeps its own snapshot; a session unlinks only files it wrote.
/// </summary>
public sealed class SessionCoherenceTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Dispose_OfASession_LeavesAnotherSessionsCachedReplacement()
    {
        var a = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        using var b = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        a.Put<float>("t", "k", [1f], [1]);
        b.Put<float>("t", "k", [2f], [1]);

        a.Dispose();

        using MappedArray<float>? survivor = b.Get<float>("t", "k");
        Assert.NotNull(survivor);
        Assert.Equal(2f, survivor.ReadOnlySpan[0]);
        Assert.Single(_dir.SegmentFiles());
    }

    [Fact]
    public void Eviction_InOneSession_LeavesAnotherSessionsCachedReplacement()
    {
        using var a = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 1));
        using var b = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        var big = new float[200_000]; // 800 KB: two of them exceed A's 1 MiB budget
        a.Put<float>("t", "k", big, [big.Length]);
        b.Put<float>("t", "k", [2f], [1]);

        a.Put<float>("t", "other", big, [big.Length]); // evicts A's "k"

        Assert.Equal(1, a.GetStats().Evictions);
        using MappedArray<float>? survivor = b.Get<float>("t", "k");
        Assert.NotNull(survivor);
        Assert.Equal(2f, survivor.ReadOnlySpan[0]);
    }

    [Fact]
    public void ReplaceAndInvalidate_InOneSession_AreSeenByTheNextGetInAnother()
    {
        using var a = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using var b = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        a.Put<float>("t", "k", [1f], [1]);
        using (MappedArray<float> first = b.Get<float>("t", "k")!)
        {
            Assert.Equal(1f, first.ReadOnlySpan[0]);
        }

        using MappedArray<float> held = b.Get<float>("t", "k")!;
        a.Put<float>("t", "k", [2f, 2f], [2]);

        using (MappedArray<float> second = b.Get<float>("t", "k")!)
        {
            Assert.Equal([2f, 2f], second.ReadOnlySpan.ToArray());
        }

        Assert.Equal(1f, held.ReadOnlySpan[0]); // a lease keeps its snapshot

        a.Invalidate("t", "k");

        Assert.False(b.Has("t", "k"));
        Assert.Null(b.GetEntry("t", "k"));
        Assert.Null(b.Get<float>("t", "k"));
        Assert.Equal(1f, held.ReadOnlySpan[0]);
    }

    [Fact]
    public void Clear_InOneSession_IsSeenByAnother()
    {
        using var a = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using var b = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        a.Put<float>("t", "k", [1f], [1]);
        b.Get<float>("t", "k")!.Dispose();

        a.Clear();

        Assert.False(b.Has("t", "k"));
        Assert.Null(b.Get<float>("t", "k"));
    }

    [Fact]
    public void RacingPuts_OfASingleArrayAndABundle_LeaveExactlyOneFile()
    {
        using var a = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using var b = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        var bundle = new Dictionary<string, Array> { ["x"] = new float[] { 5f } };
        using var barrier = new Barrier(2);
        for (int round = 0; round < 150; round++)
        {
            Parallel.Invoke(
                () => { barrier.SignalAndWait(); a.Put<float>("t", "k", [1f], [1]); },
                () => { barrier.SignalAndWait(); b.Put("t", "k", bundle); });

            Assert.True(_dir.SegmentFiles().Length == 1, $"round {round}: {_dir.SegmentFiles().Length} files for one key after both puts returned");
        }
    }

    [Fact]
    public void RacingPuts_OfARawAndACompressedPersistentArray_LeaveExactlyOneFile_WithTheLastValue()
    {
        using var raw = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using var compressed = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { Compression = true });
        using var barrier = new Barrier(2);
        for (int round = 0; round < 150; round++)
        {
            Parallel.Invoke(
                () => { barrier.SignalAndWait(); raw.Put<float>("t", "k", TestData.Ramp(5000, 1), [5000]); },
                () => { barrier.SignalAndWait(); compressed.Put<float>("t", "k", TestData.Ramp(5000, 2), [5000]); });

            string file = Assert.Single(_dir.SegmentFiles());
            using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
            using MappedArray<float> value = reader.Get<float>("t", "k")!;
            Assert.Equal(file.EndsWith(".zseg", StringComparison.Ordinal) ? 2f : 1f, value.ReadOnlySpan[0]);
        }
    }

    [Fact]
    public void Commit_ReturnsTheBytesThisWriterPublished_EvenAgainstAConcurrentPutOfAnotherType()
    {
        using var writerSession = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using var other = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        bool stop = false;
        var rival = new Thread(() =>
        {
            for (int i = 0; i < 20_000 && !Volatile.Read(ref stop); i++)
            {
                other.Put<int>("t", "k", [i, i, i], [3]);
            }
        });
        rival.Start();
        try
        {
            for (int round = 0; round < 300; round++)
            {
                using MappedArrayWriter<float> writer = writerSession.Create<float>("t", "k", [4]);
                writer.Span.Fill(round);
                using MappedArray<float> committed = writer.Commit();
                Assert.Equal([round, round, round, round], committed.ReadOnlySpan.ToArray());
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            rival.Join();
        }
    }

    [Fact]
    public void Commit_WhileTheWritersMemoryIsPinned_IsRefused_AndSucceedsAfterUnpin()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArrayWriter<float> writer = cache.Create<float>("t", "k", [4]);
        writer.Span.Fill(3f);
        MemoryHandle pin = writer.Memory.Pin();

        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => writer.Commit());
        Assert.Contains("pinned", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(_dir.SegmentFiles());

        pin.Dispose();
        using MappedArray<float> committed = writer.Commit();
        using MappedArray<float> seen = reader.Get<float>("t", "k")!;
        Assert.Equal([3f, 3f, 3f, 3f], seen.ReadOnlySpan.ToArray());
        Assert.True(reader.Verify("t", "k"));
    }

    [Fact]
    public void WithoutSharedCounters_EveryGetRechecksTheFile_AndStaysCoherent()
    {
        Directory.CreateDirectory(Path.Combine(_dir.CachePath, "generations")); // the counters' file cannot be created
        using var a = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        using var b = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        a.Put<float>("t", "k", [1f], [1]);
        for (int i = 0; i < 3; i++)
        {
            using MappedArray<float> hit = a.Get<float>("t", "k")!; // held unmapped, then mapped: both re-checked
            Assert.Equal(1f, hit.ReadOnlySpan[0]);
        }

        Assert.True(b.Has("t", "k"));
        b.Put<float>("t", "k", [2f], [1]);
        using (MappedArray<float> replaced = a.Get<float>("t", "k")!)
        {
            Assert.Equal(2f, replaced.ReadOnlySpan[0]);
        }

        b.Invalidate("t", "k");
        Assert.Null(a.Get<float>("t", "k"));
        Assert.Equal(4, a.GetStats().Hits);
    }
}
