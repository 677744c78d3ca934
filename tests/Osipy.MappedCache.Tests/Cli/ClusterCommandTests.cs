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

        foreach (string[] command in new[] { new[] { "rm", "t1_map", "k" }, ["clear"] })
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
        (exit, output, error) = OsipyCacheTool.RunWith(fromEnvironment, "clear", "--cache-dir", NodeA.CachePath);
        Assert.True(exit == 0, error + output);
        using NodeProcess again = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix);
        Assert.Equal("miss", again.Do("get t1_map other"));
        Assert.Empty(NodeB.SegmentFiles());
    }

    private static Dictionary<string, string?> NoCluster => new() { ["OSIPY_CACHE_REDIS"] = null };

    private Dictionary<string, string?> PrefixOnly => new() { ["OSIPY_CACHE_REDIS"] = null, ["OSIPY_CACHE_REDIS_PREFIX"] = Prefix };
}
