using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>A fill in blocks whose process is SIGKILLed resumes in the next process: only the missing blocks are computed.</summary>
public sealed class ResumableFillProcessTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void FillOf64Blocks_KilledInsideBlock33_NextProcessFillsOnlyBlocks33To63_AndEqualsAnUninterruptedFill()
    {
        using (var child = ChildProcess.Start("fill-blocks", _dir.CachePath, "k", "64", "33"))
        {
            child.WaitForLine("inside 33");
            child.KillHard();
        }

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        Assert.Null(cache.Get<float>("p", "k")); // nothing was published by the killed fill
        var filled = new List<int>();
        using MappedArray<float> resumed = cache.GetOrCreate<float>("p", "k", BlockFills.Shape, 64, (index, firstRow, _, block) =>
        {
            filled.Add(index);
            BlockFills.FillBlock(firstRow, block);
        });
        using MappedArray<float> uninterrupted = cache.GetOrCreate<float>("p", "other", BlockFills.Shape, 64, (_, firstRow, _, block) => BlockFills.FillBlock(firstRow, block));

        Assert.Equal(Enumerable.Range(33, 31), filled);
        Assert.Equal(uninterrupted.ComputePayloadChecksum(), resumed.ComputePayloadChecksum());
        Assert.True(uninterrupted.ReadOnlySpan.SequenceEqual(resumed.ReadOnlySpan));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.CachePath, "unfinished"))); // the record goes at commit
    }

    [Fact]
    public void AFillInBlocksThatCompletes_InAChild_LeavesNoUnfinishedRecord()
    {
        using (var child = ChildProcess.Start("fill-blocks", _dir.CachePath, "k", "8", "-1"))
        {
            child.WaitForLine("committed");
            Assert.Equal(0, child.WaitForExit());
        }

        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> found = cache.GetOrCreate<float>("p", "k", BlockFills.Shape, 8, (_, _, _, _) => throw new InvalidOperationException("a hit never fills"));
        Assert.Equal(BlockFills.Shape, found.Shape);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.CachePath, "unfinished")));
    }
}
