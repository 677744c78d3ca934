using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// The coherence rule across nodes (docs/SCALE-OUT.md, "Coherence"): once a change has returned on
/// one node, a get that starts later on any node returns the new data or a miss, whatever sessions
/// were open and whatever notices were lost; changes made during an outage reach every node when
/// the cluster is back. Nodes are real processes on separate directories, on a real 3-master cluster.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class CrossNodeCoherenceTests(RedisClusterFixture cluster) : ClusterNodesTest(cluster, "n")
{
    private readonly TempCacheDirectory _nodeC = new();
    private readonly List<NodeProcess> _workers = [];

    protected override void DisposeNodes()
    {
        _workers.ForEach(w => w.Dispose());
        _nodeC.Dispose();
    }

    [Fact]
    public void ANodeWithNoLiveSession_NeverServesWhatAnotherNodeReplacedOrInvalidatedMeanwhile()
    {
        NodeProcess a = Worker(NodeA);
        for (int round = 1; round <= 6; round++)
        {
            Assert.Equal("ok", a.Do($"put t1_map rep {round}"));
            Assert.Equal("ok", a.Do($"put t1_map inv {round}"));

            // B reads both into its own directory, then its process ends: nothing of B is listening.
            using (NodeProcess reader = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix))
            {
                Assert.Equal(round.ToString(), reader.Do("get t1_map rep"));
                Assert.Equal(round.ToString(), reader.Do("get t1_map inv"));
                reader.Exit();
            }

            Assert.Equal("ok", a.Do($"put t1_map rep {round + 100}"));
            Assert.Equal("ok", a.Do("inv t1_map inv"));

            using NodeProcess next = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix);
            Assert.Equal((round + 100).ToString(), next.Do("get t1_map rep"));
            Assert.Equal("miss", next.Do("get t1_map inv"));
            next.Exit();
        }
    }

    [Fact]
    public void ChangesMadeDuringAnOutage_AreJournalled_AndEveryNodeAgreesWhenTheClusterIsBack()
    {
        NodeProcess a = Worker(NodeA, "--timeout-ms", "1000");
        NodeProcess b = Worker(NodeB, "--timeout-ms", "1000");
        Assert.Equal("ok", a.Do("put t1_map inv 1"));
        Assert.Equal("ok", a.Do("put t1_map rep 1"));
        Assert.Equal("1", b.Do("get t1_map inv"));
        Assert.Equal("1", b.Do("get t1_map rep"));

        Cluster.Pause();
        Assert.Equal("ok", a.Do("inv t1_map inv"));
        Assert.Equal("ok", a.Do("put t1_map rep 2"));
        Assert.Equal("miss", a.Do("get t1_map inv")); // served locally meanwhile, and said so in the logs
        Assert.Equal("2", a.Do("get t1_map rep"));
        Cluster.Resume();

        // A check on A sends what A journalled (as its background check does once its back-off ends);
        // B's next check applies it from the log.
        Assert.Equal("ok", a.Do("sync"));
        Assert.Equal("ok", b.Do("sync"));
        Assert.Equal("2", b.Do("get t1_map rep"));
        Assert.Equal("miss", b.Do("get t1_map inv"));
        Assert.Equal("2", a.Do("get t1_map rep"));
        Assert.Equal("miss", a.Do("get t1_map inv")); // never brought back from the cluster
        using NodeProcess fresh = NodeProcess.Start(_nodeC.CachePath, Cluster.Configuration, Prefix);
        Assert.Equal("2", fresh.Do("get t1_map rep"));
        Assert.Equal("miss", fresh.Do("get t1_map inv"));
        Assert.Empty(Directory.GetFiles(Path.Combine(NodeA.CachePath, "remote", "pending")));
    }

    [Fact]
    public void AProcessKilledBetweenItsLocalPutAndItsRemoteCommit_LosesNothing_ANodeSessionSendsIt()
    {
        NodeProcess a = Worker(NodeA, "--timeout-ms", "60000");
        Assert.Equal("ok", a.Do("put t1_map k 1"));
        string file = Assert.Single(NodeA.SegmentFiles());
        long before = Inode(file);

        using var published = new ManualResetEventSlim();
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(file)!, Path.GetFileName(file)) { NotifyFilter = NotifyFilters.FileName };
        watcher.Renamed += (_, _) => published.Set(); // the temporary file renamed over the entry's name
        watcher.EnableRaisingEvents = true;

        Cluster.Pause(); // the upload waits for the cluster; the local publication does not
        a.Send("put t1_map k 2");
        Assert.True(published.Wait(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken), "the local put never published");
        Assert.NotEqual(before, Inode(file));
        a.KillHard(); // published here, never committed there
        Cluster.Resume();

        using (NodeProcess again = NodeProcess.Start(NodeA.CachePath, Cluster.Configuration, Prefix))
        {
            Assert.Equal("2", again.Do("get t1_map k")); // its open sent the dead process's upload
            again.Exit();
        }

        NodeProcess b = Worker(NodeB);
        Assert.Equal("2", b.Do("get t1_map k"));
        Assert.Empty(Directory.GetFiles(Path.Combine(NodeA.CachePath, "remote", "pending")));
    }

    [Fact]
    public void AForgedNotice_RemovesNothing_NotEvenAnEntryThatExistsNowhereElse()
    {
        // An entry put before the node had a cluster (so it exists only here), and one the cluster has too.
        using (var local = new IntermediateCache(NodeA.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0)))
        {
            local.Put<float>("t1_map", "only-here", [5f, 5f], [2]);
        }

        NodeProcess a = Worker(NodeA);
        Assert.Equal("ok", a.Do("put t1_map shared 3"));
        int heard = int.Parse(a.Do("notices 1")); // its own put's notice
        string[] forged = ["{\"t\":null,\"k\":null}", "{\"t\":\"t1_map\",\"k\":null}", "{\"t\":\"t1_map\",\"k\":\"only-here\"}"];
        foreach (string notice in forged)
        {
            Cluster.Cli("PUBLISH", Prefix + ":changes", notice);
        }

        Assert.True(int.Parse(a.Do($"notices {heard + forged.Length}")) >= heard + forged.Length, "the forged notices never arrived");
        Assert.Equal("ok", a.Do("sync")); // after any check the notices caused
        Assert.Equal("3", a.Do("get t1_map shared"));
        using var again = new IntermediateCache(NodeA.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0));
        Assert.NotNull(again.Get<float>("t1_map", "only-here"));
    }

    [Fact]
    public void RacingPutsAndInvalidates_FromTwoNodes_LeaveNoChunkWithoutAManifestOrAnExpiry()
    {
        // Two nodes, three processes on each: puts and invalidates of one key race, so a removal
        // lands between another put's read of the manifest and its commit, and between a commit
        // and the replaced chunks' deletion.
        NodeProcess a = Worker(NodeA), a2 = Worker(NodeA), a3 = Worker(NodeA), b = Worker(NodeB), b2 = Worker(NodeB), b3 = Worker(NodeB);
        for (int round = 0; round < 150; round++)
        {
            int stamp = round;
            Parallel.Invoke(
                () => a.Do($"put t1_map k {stamp} 300000"),
                () => b.Do("inv t1_map k"),
                () => a2.Do($"put t1_map k {stamp + 1000} 300000"),
                () => b2.Do("inv t1_map k"),
                () => b3.Do($"put t1_map k {stamp + 2000} 300000"),
                () => a3.Do("inv t1_map k"));
        }

        Assert.Empty(Cluster.OrphanChunks(Prefix));
    }

    [Fact]
    public void AnExpiredRemoteEntry_IsNeverDownloaded()
    {
        NodeProcess a = Worker(NodeA);
        Assert.Equal("ok", a.Do("put t1_map old 1"));

        // B's clock runs an hour ahead: to B the entry is an hour old, past its one-minute age.
        NodeProcess b = Worker(NodeB, "--max-age", "60", "--clock-offset-s", "3600");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("miss", b.Do("get t1_map old"));
        }

        string stats = b.Do("stats");
        Assert.Contains("remoteHits=0", stats, StringComparison.Ordinal);
        Assert.Contains("expirations=3", stats, StringComparison.Ordinal);
        Assert.Empty(NodeB.SegmentFiles());
    }

    [Fact]
    public void TypesAndKeysWithNul_NeverShareARemoteEntry()
    {
        NodeProcess a = Worker(NodeA), b = Worker(NodeB);
        Assert.Equal("ok", a.Do("put a\\0b c 1"));
        Assert.Equal("ok", a.Do("put a b\\0c 2"));
        Assert.Equal("1", b.Do("get a\\0b c"));
        Assert.Equal("2", b.Do("get a b\\0c"));

        Assert.Equal("ok", a.Do("inv a\\0b c"));
        using NodeProcess fresh = NodeProcess.Start(_nodeC.CachePath, Cluster.Configuration, Prefix);
        Assert.Equal("miss", fresh.Do("get a\\0b c"));
        Assert.Equal("2", fresh.Do("get a b\\0c"));
        Assert.Empty(Cluster.OrphanChunks(Prefix));
    }

    private static long Inode(string path) => long.Parse(Command.Run("stat", "-c", "%i", path).Output.Trim());

    private NodeProcess Worker(TempCacheDirectory node, params string[] options)
    {
        NodeProcess worker = NodeProcess.Start(node.CachePath, Cluster.Configuration, Prefix, options);
        _workers.Add(worker);
        return worker;
    }
}
