using Osipy.MappedCache.Files;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>Processes killed with SIGKILL lose nothing published, show nothing partial, and leak nothing.</summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void KilledMidPut_NoPartialEntryVisible_TempFileReclaimedAtNextOpen()
    {
        string typeDir = new SegmentStore(_dir.CachePath).TypeDirectory("t");
        Directory.CreateDirectory(typeDir);
        string[] temps = [];
        for (int attempt = 0; attempt < 3 && temps.Length == 0; attempt++)
        {
            using var watcher = new FileSystemWatcher(typeDir, ".tmp-*");
            using var child = ChildProcess.Start("put-loop", _dir.CachePath, (64 * 1024 * 1024).ToString());
            child.WaitForLine("started");
            WaitForChangedResult created = watcher.WaitForChanged(WatcherChangeTypes.Created, 30_000);
            Assert.False(created.TimedOut, "the child never started a put");
            child.KillHard();
            temps = Directory.GetFiles(typeDir, ".tmp-*");
        }

        Assert.NotEmpty(temps); // the kill landed inside a put
        foreach (string segment in Directory.GetFiles(typeDir, "*.npy"))
        {
            using OpenedSegment? opened = SegmentReader.TryOpen(segment); // throws if partial
            Assert.NotNull(opened);
        }

        using var next = new IntermediateCache(_dir.Config());

        Assert.True(next.LastReclaim.TempFiles >= 1);
        Assert.Equal(1, next.LastReclaim.Sessions);
        Assert.Empty(Directory.GetFiles(typeDir, ".tmp-*"));
        Assert.Empty(_dir.SegmentFiles()); // the dead session's CACHED entries went too
    }

    [Fact]
    public void KilledMidCreate_NothingPublished_TempFileReclaimedAtNextOpen()
    {
        using (var child = ChildProcess.Start("create-hold", _dir.CachePath, "1000000"))
        {
            child.WaitForLine("ready");
            child.KillHard();
        }

        Assert.Single(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        Assert.Empty(_dir.SegmentFiles());

        using var next = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));

        Assert.Null(next.Get<float>("t", "k"));
        Assert.Equal(1, next.LastReclaim.TempFiles);
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void KilledWhileHoldingCachedEntries_NextOpenLeavesZeroBytesOfThem()
    {
        using (var child = ChildProcess.Start("hold-cached", _dir.CachePath, "20", "100000"))
        {
            child.WaitForLine("ready");
            Assert.Equal(20, _dir.SegmentFiles().Length);
            child.KillHard();
        }

        Assert.Equal(20, _dir.SegmentFiles().Length); // nobody cleaned up: the process was killed

        using var next = new IntermediateCache(_dir.Config());

        Assert.Empty(_dir.SegmentFiles());
        Assert.Equal(new ReclaimReport(1, 20, 0, next.LastReclaim.Bytes), next.LastReclaim);
        Assert.True(next.LastReclaim.Bytes >= 20 * 400_000);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.CachePath, "sessions")));
    }

    [Fact]
    public void KilledProcess_PersistentEntriesSurviveIntact()
    {
        using (var child = ChildProcess.Start("put-persistent", _dir.CachePath, "5", "250000", "--hold"))
        {
            child.WaitForLine("ready");
            child.KillHard();
        }

        using var next = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        for (int i = 0; i < 5; i++)
        {
            using MappedArray<float> array = next.Get<float>("p", $"k{i}")!;
            Assert.True(TestChild.Patterns.IsWhole(array.ReadOnlySpan));
            Assert.Equal(i, array.Span[0]);
            using OpenedSegment opened = SegmentReader.TryOpen(SegmentPaths.Single(next, "p", $"k{i}"))!;
            Assert.Equal(opened.Record.Arrays[0].PayloadChecksum, array.ComputePayloadChecksum());
        }

        Assert.Equal(0, next.LastReclaim.Segments);
    }

    [Fact]
    public void LiveSessionsFiles_AreNeverReclaimed()
    {
        using var child = ChildProcess.Start("hold-cached", _dir.CachePath, "3", "1000");
        child.WaitForLine("ready");

        using var other = new IntermediateCache(_dir.Config());
        ReclaimReport again = other.ReclaimDeadSessions();

        Assert.Equal(ReclaimReport.None, other.LastReclaim);
        Assert.Equal(ReclaimReport.None, again);
        Assert.Equal(3, _dir.SegmentFiles().Length);
        child.Send("end");
        Assert.Equal(0, child.WaitForExit());
        Assert.Empty(_dir.SegmentFiles()); // a normal end removes its own CACHED entries
    }
}
