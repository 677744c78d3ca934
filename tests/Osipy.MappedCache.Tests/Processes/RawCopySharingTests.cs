using System.Globalization;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;

namespace Osipy.MappedCache.Tests.Processes;

/// <summary>
/// A compressed entry is decompressed once per node: processes missing it at once wait for one
/// decompression and map the one raw copy it publishes; a process killed mid-decompression leaves
/// nothing that a later open does not remove; a dead session's reclaim removes copies whose source is gone.
/// </summary>
public sealed class RawCopySharingTests : IDisposable
{
    private const int Elements = 700_000; // 2.8 MB: three chunks

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string RawCopy => SegmentPaths.RawCopy(_dir.CachePath, "z", "k");

    [Fact]
    public void TwoProcessesMissingAtOnce_DecompressOnce_AndMapTheSameFile()
    {
        float[] data = PutWithoutRawCopy();
        using var first = ChildProcess.Start("get-compressed", _dir.CachePath, "k", "--block-in-decompression");
        using var second = ChildProcess.Start("get-compressed", _dir.CachePath, "k", "--wait-to-start");

        // The first holds the key's raw-copy lock with the payload written and nothing published...
        string temp = first.WaitForLine("decompressing ")["decompressing ".Length..];
        Assert.True(File.Exists(temp));
        Assert.False(File.Exists(RawCopy));

        // ...and the second, missing the same key, waits for that lock instead of decompressing too.
        second.WaitForLine("opened");
        second.Send("go");
        second.WaitForLine("getting");
        ulong lockInode = FileIdentity.OfPath(SegmentPaths.RawCopyLock(_dir.CachePath, "z", "k"))!.Value.Inode;
        Assert.True(SpinWait.SpinUntil(() => FlockWaiters.IsWaiting(second.Id, lockInode), Bound), "the second process never waited for the first one's decompression");
        first.Send("go on");

        Got a = Got.Parse(first.WaitForLine("got "));
        Got b = Got.Parse(second.WaitForLine("got "));
        Assert.Equal(1, a.Decompressions);
        Assert.Equal(0, b.Decompressions);
        ulong published = FileIdentity.OfPath(RawCopy)!.Value.Inode;
        Assert.Equal((published, RawCopy), (a.Inode, a.Path));
        Assert.Equal((published, RawCopy), (b.Inode, b.Path));
        Assert.All([a, b], got => Assert.Equal(Sum(data), got.Sum));
        Assert.All([a, b], got => Assert.True(got.Whole));
        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
        first.Send("end");
        second.Send("end");
        Assert.Equal(0, first.WaitForExit());
        Assert.Equal(0, second.WaitForExit());
    }

    [Fact]
    public void AnotherSessionAndAnotherProcess_MapTheRawCopyThePutPublished()
    {
        float[] data = Put();
        ulong inode = FileIdentity.OfPath(RawCopy)!.Value.Inode;

        using var session = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> local = session.Get<float>("z", "k")!;
        using var child = ChildProcess.Start("get-compressed", _dir.CachePath, "k");
        Got remote = Got.Parse(child.WaitForLine("got "));

        Assert.Equal(data, local.ReadOnlySpan.ToArray());
        Assert.Equal([(inode, RawCopy)], ProcessMaps.FilesUnder(_dir.CachePath));
        Assert.Equal(0, remote.Decompressions);
        Assert.Equal((inode, RawCopy), (remote.Inode, remote.Path));
        Assert.Equal(Sum(data), remote.Sum);
        child.Send("end");
        Assert.Equal(0, child.WaitForExit());
    }

    [Fact]
    public void KilledMidDecompression_NextOpenLeavesNothingBehind_AndTheGetDecompressesAgain()
    {
        float[] data = PutWithoutRawCopy();
        string temp;
        using (var child = ChildProcess.Start("get-compressed", _dir.CachePath, "k", "--block-in-decompression"))
        {
            temp = child.WaitForLine("decompressing ")["decompressing ".Length..];
            Assert.True(new FileInfo(temp).Length >= Elements * sizeof(float)); // the whole payload, no record yet
            child.KillHard();
        }

        Assert.True(File.Exists(temp)); // nobody cleaned up: the process was killed
        Assert.False(File.Exists(RawCopy));

        using var next = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));

        Assert.Equal(1, next.LastReclaim.Sessions);
        Assert.Equal(1, next.LastReclaim.TempFiles);
        Assert.False(File.Exists(temp));
        Assert.False(File.Exists(RawCopy));
        using MappedArray<float> view = next.Get<float>("z", "k")!;
        Assert.Equal(data, view.ReadOnlySpan.ToArray());
        using (OpenedSegment? copy = SegmentReader.TryOpen(RawCopy))
        {
            Assert.NotNull(copy); // complete and valid, or it would have thrown
        }

        Assert.Empty(Directory.GetFiles(_dir.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void DeadSessionsReclaim_RemovesRawCopiesWhoseSourceIsGone_AndKeepsTheOthers()
    {
        PutWithoutRawCopy();
        Put(key: "kept");
        using (var child = ChildProcess.Start("get-compressed", _dir.CachePath, "k"))
        {
            child.WaitForLine("got ");
            child.KillHard(); // a dead session that wrote into the type directory
        }

        Assert.True(File.Exists(RawCopy));
        File.Delete(SegmentPaths.Compressed(_dir.CachePath, "z", "k")); // removed behind the library's back

        System.Text.Json.JsonElement gc = OsipyCacheTool.Json("gc", "--cache-dir", _dir.CachePath);

        Assert.Equal(1, gc.GetProperty("sessions").GetInt32());
        Assert.Equal(1, gc.GetProperty("raw_copies").GetInt32());
        Assert.False(File.Exists(RawCopy));
        Assert.True(File.Exists(SegmentPaths.RawCopy(_dir.CachePath, "z", "kept")));
    }

    private float[] Put(string key = "k")
    {
        var data = new float[Elements];
        Patterns.Fill(data, 3);
        using var writer = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { Compression = true });
        writer.Put<float>("z", key, data, [Elements]);
        return data;
    }

    /// <summary>A compressed entry the node has no raw copy of yet, as when it came from another node.</summary>
    private float[] PutWithoutRawCopy()
    {
        float[] data = Put();
        File.Delete(RawCopy);
        return data;
    }

    private static double Sum(float[] data) => data.Sum(v => (double)v);

    /// <summary>A child's "got decompressions=N inode=I path=P sum=S whole=B" line.</summary>
    private sealed record Got(int Decompressions, ulong Inode, string Path, double Sum, bool Whole)
    {
        public static Got Parse(string line)
        {
            Dictionary<string, string> fields = line["got ".Length..].Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
            return new Got(
                int.Parse(fields["decompressions"], CultureInfo.InvariantCulture),
                ulong.Parse(fields["inode"], CultureInfo.InvariantCulture),
                fields["path"],
                double.Parse(fields["sum"], CultureInfo.InvariantCulture),
                bool.Parse(fields["whole"]));
        }
    }
}
