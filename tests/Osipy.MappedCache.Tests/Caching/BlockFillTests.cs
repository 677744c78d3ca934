using Osipy.MappedCache.Files;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>GetOrCreate in blocks within one process: the block rule, a fill that throws, records that cannot be trusted, and their reclaim.</summary>
public sealed class BlockFillTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Blocks_SplitTheOuterDimensionAsEvenlyAsPossible_LargerBlocksLast()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        var seen = new List<(int Index, long FirstRow, int Rows, int Length)>();
        using MappedArray<int> array = cache.GetOrCreate<int>("p", "k", [7, 2], 3, (index, firstRow, rows, block) =>
        {
            seen.Add((index, firstRow, rows, block.Length));
            block.Fill(index + 1);
        });

        Assert.Equal([(0, 0L, 2, 4), (1, 2L, 2, 4), (2, 4L, 3, 6)], seen);
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3], array.ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public void Blocks_OutsideOneToTheOuterDimension_AreRefused(int blocks)
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        Assert.Throws<ArgumentOutOfRangeException>(() => cache.GetOrCreate<int>("p", "k", [7, 2], blocks, (_, _, _, _) => { }));
    }

    [Fact]
    public void AFillThatThrows_ReachesTheCaller_AndKeepsItsFinishedBlocksForTheNextCaller()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        Assert.Throws<InvalidOperationException>(() => FillAll(cache, "k", failAt: 10));
        Assert.Null(cache.Get<float>("p", "k"));

        (List<int> filled, MappedArray<float> resumed) = FillAll(cache, "k");
        using (resumed)
        {
            Assert.Equal(Enumerable.Range(10, 54), filled);
            AssertEqualsUninterrupted(cache, resumed);
        }
    }

    [Fact]
    public void ACachedFillThatThrows_IsResumedToo()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached));
        Assert.Throws<InvalidOperationException>(() => FillAll(cache, "k", failAt: 5));

        (List<int> filled, MappedArray<float> resumed) = FillAll(cache, "k");
        using (resumed)
        {
            Assert.Equal(Enumerable.Range(5, 59), filled);
        }
    }

    [Fact]
    public void ATransientFill_FillsEveryBlockInOrder_AndRecordsNothing()
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Transient));
        Assert.Throws<InvalidOperationException>(() => FillAll(cache, "k", failAt: 5));

        (List<int> filled, MappedArray<float> result) = FillAll(cache, "k");
        using (result)
        {
            Assert.Equal(Enumerable.Range(0, 64), filled);
        }

        Assert.False(Directory.Exists(Path.Combine(_dir.CachePath, "unfinished")));
    }

    [Theory]
    [InlineData("other shape")]
    [InlineData("other blocks")]
    [InlineData("truncated")]
    [InlineData("garbage")]
    [InlineData("torn block")]
    public void AnUnfinishedRecordThatDoesNotMatch_IsDiscarded_AndEveryBlockIsComputed(string damage)
    {
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        string path;
        if (damage == "other shape")
        {
            Assert.Throws<InvalidOperationException>(() => cache.GetOrCreate<float>("p", "k", [128, 1000], 64, (index, _, _, _) => Fail(index, 10)));
            path = RecordOf(cache, "k");
        }
        else if (damage == "other blocks")
        {
            Assert.Throws<InvalidOperationException>(() => cache.GetOrCreate<float>("p", "k", BlockFills.Shape, 32, (index, firstRow, _, block) =>
            {
                Fail(index, 10);
                BlockFills.FillBlock(firstRow, block);
            }));
            path = RecordOf(cache, "k");
        }
        else
        {
            Assert.Throws<InvalidOperationException>(() => FillAll(cache, "k", failAt: 10));
            path = RecordOf(cache, "k");
            Damage(path, damage);
        }

        (List<int> filled, MappedArray<float> result) = FillAll(cache, "k");
        using (result)
        {
            Assert.Equal(damage == "torn block" ? [3, .. Enumerable.Range(10, 54)] : Enumerable.Range(0, 64), filled);
            AssertEqualsUninterrupted(cache, result);
        }
    }

    [Fact]
    public void AnUnfinishedRecordNobodyResumes_IsReclaimedAfterTheRetention_NotBefore()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        CacheConfig config = _dir.Config(RetentionPolicy.Persistent) with { UnfinishedFillRetention = TimeSpan.FromHours(6) };
        using (var first = new IntermediateCache(config, clock))
        {
            Assert.Throws<InvalidOperationException>(() => FillAll(first, "k", failAt: 10));
        }

        string record = Assert.Single(Directory.GetFiles(Path.Combine(_dir.CachePath, "unfinished")));
        clock.Advance(TimeSpan.FromHours(5));
        using (var early = new IntermediateCache(config, clock))
        {
            Assert.Equal(0, early.LastReclaim.UnfinishedFills);
            Assert.True(File.Exists(record));
        }

        clock.Advance(TimeSpan.FromHours(2));
        using var late = new IntermediateCache(config, clock);

        Assert.Equal(1, late.LastReclaim.UnfinishedFills);
        Assert.False(File.Exists(record));
        (List<int> filled, MappedArray<float> result) = FillAll(late, "k");
        using (result)
        {
            Assert.Equal(Enumerable.Range(0, 64), filled);
        }
    }

    private static (List<int> Filled, MappedArray<float> Result) FillAll(IntermediateCache cache, string key, int failAt = -1)
    {
        var filled = new List<int>();
        MappedArray<float> result = cache.GetOrCreate<float>("p", key, BlockFills.Shape, 64, (index, firstRow, _, block) =>
        {
            Fail(index, failAt);
            filled.Add(index);
            BlockFills.FillBlock(firstRow, block);
        });
        return (filled, result);
    }

    private static void Fail(int index, int failAt)
    {
        if (index == failAt)
        {
            throw new InvalidOperationException($"block {index} diverged");
        }
    }

    private static void AssertEqualsUninterrupted(IntermediateCache cache, MappedArray<float> result)
    {
        using MappedArray<float> uninterrupted = cache.GetOrCreate<float>("p", "reference", BlockFills.Shape, 64, (_, firstRow, _, block) => BlockFills.FillBlock(firstRow, block));
        Assert.Equal(uninterrupted.ComputePayloadChecksum(), result.ComputePayloadChecksum());
        Assert.True(uninterrupted.ReadOnlySpan.SequenceEqual(result.ReadOnlySpan));
    }

    private string RecordOf(IntermediateCache cache, string key)
    {
        string path = UnfinishedFills.PathOf(new SegmentStore(cache.CacheDir), "p", key);
        Assert.True(File.Exists(path));
        return path;
    }

    private static void Damage(string path, string damage)
    {
        switch (damage)
        {
            case "truncated":
                using (var file = new FileStream(path, FileMode.Open))
                {
                    file.SetLength(file.Length - 4096);
                }

                break;
            case "garbage":
                File.WriteAllBytes(path, [.. Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31))]);
                break;
            case "torn block":
                // Block 3's bytes changed after its record: its hash no longer matches, so it alone is computed again.
                using (var file = new FileStream(path, FileMode.Open))
                {
                    long payload = file.Length - (256L * 1000 * 4);
                    file.Position = payload + (3L * 4 * 1000 * 4) + 17;
                    file.WriteByte(0xFF);
                }

                break;
        }
    }
}
