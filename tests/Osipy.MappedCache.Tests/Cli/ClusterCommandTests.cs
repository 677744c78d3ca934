using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// osipy-cache on a node of a cluster: rm and clear reach the cluster when given it (--redis or
/// OSIPY_CACHE_REDIS), so no node gets the entry back; without it, on a directory used with a
/// cluster, they refuse instead of being undone by the next get.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterCommandTests(RedisClusterFixture cluster) : ClusterNodesTest(cluster, "o")
{

    [Fact]
    public void RmAndClearWithoutTheCluster_OnADirectoryUsedWithOne_RefuseAndRemoveNothing()
    {
        using (NodeProcess a = NodeProcess.Start(NodeA.CachePath, Cluster.Configuration, Prefix))
        {
            Assert.Equal("ok", a.Do("put t1_map k 1"));
            a.Exit();
        }

        foreach (string[] command in new[] { new[] { "rm", "t1_map", "k" }, ["clear", "--yes"] })
        {
            (int exit, string output, string error) = OsipyCacheTool.RunWith(NoCluster, [.. command, "--cache-dir", NodeA.CachePath]);
            Assert.Equal(1, exit);
            Assert.Contains("--redis", error, StringComparison.Ordinal);
            Assert.DoesNotContain("removed", output, StringComparison.Ordinal);
        }

        Assert.Single(NodeA.SegmentFiles());
    }

    [Fact]
    public void RmWithTheCluster_RemovesTheEntryOnEveryNode_AndClearFromTheEnvironmentToo()
    {
        using (NodeProcess a = NodeProcess.Start(NodeA.CachePath, Cluster.Configuration, Prefix))
        {
            Assert.Equal("ok", a.Do("put t1_map k 1"));
            Assert.Equal("ok", a.Do("put t1_map other 2"));
            a.Exit();
        }

        using (NodeProcess b = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix))
        {
            Assert.Equal("1", b.Do("get t1_map k"));
            Assert.Equal("2", b.Do("get t1_map other"));
            b.Exit();
        }

        (int exit, string output, string error) = OsipyCacheTool.RunWith(PrefixOnly, "rm", "t1_map", "k", "--cache-dir", NodeA.CachePath, "--redis", Cluster.Configuration);
        Assert.True(exit == 0, error + output);
        using (NodeProcess b = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix))
        {
            Assert.Equal("miss", b.Do("get t1_map k")); // B's copy went when B next opened
            Assert.Equal("2", b.Do("get t1_map other"));
            b.Exit();
        }

        var fromEnvironment = new Dictionary<string, string?>(PrefixOnly) { ["OSIPY_CACHE_REDIS"] = Cluster.Configuration };
        (exit, output, error) = OsipyCacheTool.RunWith(fromEnvironment, "clear", "--yes", "--cache-dir", NodeA.CachePath);
        Assert.True(exit == 0, error + output);
        using NodeProcess again = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix);
        Assert.Equal("miss", again.Do("get t1_map other"));
        Assert.Empty(NodeB.SegmentFiles());
    }

    [Fact]
    public void GcWithTheCluster_SweepsChunksNoManifestNames_AndThePreviousLayout_KeepingLiveEntries()
    {
        using (NodeProcess a = NodeProcess.Start(NodeA.CachePath, Cluster.Configuration, Prefix))
        {
            Assert.Equal("ok", a.Do("put t1_map live 5 2000000"));
            a.Exit();
        }

        // What an older version could leave: a chunk without expiry that no manifest names, and its records.
        string orphan = $"{Prefix}:c:{new string('a', 32)}:deadbeef:0";
        Cluster.Cli("SET", orphan, "bytes nobody will read");
        Cluster.Cli("SET", $"{Prefix}:m:{new string('a', 32)}", "{\"v\":2}");
        Cluster.Cli("SADD", $"{Prefix}:types", "x");

        (int exit, string output, string error) = OsipyCacheTool.RunWith(PrefixOnly, "gc", "--cache-dir", NodeA.CachePath, "--redis", Cluster.Configuration, "--json");
        Assert.True(exit == 0, error + output);
        Assert.Contains("\"remote_orphans\": 3", output, StringComparison.Ordinal);
        Assert.Empty(Cluster.Keys(orphan));
        Assert.Empty(Cluster.Keys(Prefix + ":m:*"));
        Assert.Empty(Cluster.OrphanChunks(Prefix));

        using NodeProcess b = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix);
        Assert.Equal("5", b.Do("get t1_map live")); // the live entry's chunks stayed
    }

    private static Dictionary<string, string?> NoCluster => new() { ["OSIPY_CACHE_REDIS"] = null };

    private Dictionary<string, string?> PrefixOnly => new() { ["OSIPY_CACHE_REDIS"] = null, ["OSIPY_CACHE_REDIS_PREFIX"] = Prefix };
}
