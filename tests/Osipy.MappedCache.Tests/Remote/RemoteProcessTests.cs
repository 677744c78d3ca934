using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.Tests.Processes;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>Nodes as real processes with separate local directories, on a real Redis Cluster; workers killed with SIGKILL.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RemoteProcessTests : IDisposable
{
    private readonly RedisClusterFixture _cluster;
    private readonly TempCacheDirectory _nodeA = new();
    private readonly TempCacheDirectory _nodeB = new();
    private readonly string _prefix = "p" + Guid.NewGuid().ToString("N")[..12];

    public RemoteProcessTests(RedisClusterFixture cluster)
    {
        _cluster = cluster;
        if (cluster.Unavailable is { } why)
        {
            Assert.Skip(why);
        }
    }

    public void Dispose()
    {
        _nodeA.Dispose();
        _nodeB.Dispose();
    }

    [Fact]
    public void PutOnNodeA_GetOnNodeB_AnotherProcess_MapsIt_ItsPrivateMemoryDoesNotGrowWithTheArray()
    {
        // A small and a large array: what the reader's private memory gains must not depend on the size
        // (a transfer holds a bounded window of chunks; the array lands in the page cache, mapped).
        const int Small = 32 * 1024 * 1024, Large = 128 * 1024 * 1024; // 128 MiB and 512 MiB of float32: both past the window
        long smallAnonKb = PutThenGetElsewhere("small", Small);
        long largeAnonKb = PutThenGetElsewhere("large", Large);

        long extraArrayKb = (Large - Small) * 4L / 1024;
        Assert.True(largeAnonKb - smallAnonKb < extraArrayKb / 10, $"private memory grew by {smallAnonKb} KiB for 128 MiB and {largeAnonKb} KiB for 512 MiB");
        Assert.Equal(2, _nodeB.SegmentFiles().Length); // both published on B: local mappings from now on
    }

    /// <summary>Puts ("p", key) on node A in one process, gets it on node B in another; returns the getter's RssAnon growth.</summary>
    private long PutThenGetElsewhere(string key, int elements)
    {
        using (var putter = ChildProcess.Start("remote-put", _nodeA.CachePath, key, elements.ToString(), _cluster.Configuration, _prefix))
        {
            putter.WaitForLine("stored", TimeSpan.FromSeconds(120));
        }

        using var getter = ChildProcess.Start("remote-get", _nodeB.CachePath, key, _cluster.Configuration, _prefix);
        string line = getter.WaitForLine("got", TimeSpan.FromSeconds(120));
        Assert.Contains("whole=True stamp=7", line, StringComparison.Ordinal);
        Assert.Contains("remoteHits=1", line, StringComparison.Ordinal);
        return long.Parse(line.Split("anonKb=")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public void ThreeProcessesOfOneNode_MissingTheSameKey_FetchItOnce()
    {
        using (var putter = ChildProcess.Start("remote-put", _nodeA.CachePath, "shared", (4 * 1024 * 1024).ToString(), _cluster.Configuration, _prefix))
        {
            putter.WaitForLine("stored", TimeSpan.FromSeconds(60));
        }

        var getters = Enumerable.Range(0, 3).Select(_ => ChildProcess.Start("remote-get", _nodeB.CachePath, "shared", _cluster.Configuration, _prefix)).ToList();
        try
        {
            List<string> lines = [.. getters.Select(g => g.WaitForLine("got", TimeSpan.FromSeconds(60)))];
            Assert.All(lines, l => Assert.Contains("whole=True stamp=7", l, StringComparison.Ordinal));
            Assert.Equal(1, lines.Sum(l => int.Parse(l.Split("remoteHits=")[1], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Single(_nodeB.SegmentFiles());
        }
        finally
        {
            getters.ForEach(g => g.Dispose());
        }
    }

    [Fact]
    public void GetOrCreate_FromFourProcessesOnTwoNodes_FillsOnce_AndAllReadTheSameBytes()
    {
        var children = new List<ChildProcess>();
        foreach (TempCacheDirectory node in new[] { _nodeA, _nodeA, _nodeB, _nodeB })
        {
            children.Add(ChildProcess.Start("get-or-create", node.CachePath, "fit", _cluster.Configuration, _prefix));
        }

        try
        {
            ChildProcess filler = GetOrCreateTests.StartedThenFiller(children);
            filler.Send("go");
            List<string> results = [.. children.Select(c => c.WaitForLine("result"))];

            Assert.Single(results, r => r.Contains("filled=True", StringComparison.Ordinal));
            Assert.All(results, r => Assert.Contains("whole=True stamp=42", r, StringComparison.Ordinal));
            Assert.Single(_nodeA.SegmentFiles());
            Assert.Single(_nodeB.SegmentFiles());
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void TheFillerKilled_ItsLeaseLapses_AndAWaitingNodeComputesInstead()
    {
        var children = new List<ChildProcess>
        {
            ChildProcess.Start("get-or-create", _nodeA.CachePath, "fit", _cluster.Configuration, _prefix),
            ChildProcess.Start("get-or-create", _nodeB.CachePath, "fit", _cluster.Configuration, _prefix),
        };
        try
        {
            ChildProcess filler = GetOrCreateTests.StartedThenFiller(children);
            filler.KillHard(); // inside its fill, holding the lease
            ChildProcess waiter = children.Single(c => c != filler);

            waiter.WaitForLine("filling", TimeSpan.FromSeconds(30)); // after the 1 s lease lapsed
            waiter.Send("go");
            Assert.Contains("filled=True whole=True stamp=42", waiter.WaitForLine("result"), StringComparison.Ordinal);
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void AWriterKilledMidUpload_NeverMakesAManifestVisible()
    {
        using var putter = ChildProcess.Start("remote-put", _nodeA.CachePath, "big", (128 * 1024 * 1024).ToString(), _cluster.Configuration, _prefix);
        putter.WaitForLine("putting", TimeSpan.FromSeconds(60));
        for (int i = 0; i < 600 && Keys($"{_prefix}:c:*").Length == 0; i++)
        {
            putter.TryWaitForLine("stored", TimeSpan.FromMilliseconds(20), out _); // wait for the first chunks to land
        }

        putter.KillHard();

        Assert.NotEmpty(Keys($"{_prefix}:c:*")); // it was killed during the upload...
        Assert.Empty(Keys($"{_prefix}:m:*")); // ...and no manifest was ever committed
        using var getter = ChildProcess.Start("remote-get", _nodeB.CachePath, "big", _cluster.Configuration, _prefix);
        Assert.Equal("miss", getter.WaitForLine("miss", TimeSpan.FromSeconds(60)));
    }

    private string[] Keys(string pattern) =>
        [.. _cluster.Ports.SelectMany(port => _cluster.CliAt(port, "--scan", "--pattern", pattern).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
