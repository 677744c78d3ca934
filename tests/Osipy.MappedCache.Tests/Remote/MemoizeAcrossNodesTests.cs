using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// A memoized function asked for at once by processes on two nodes (two cache directories sharing
/// a real cluster) computes once in the whole cluster, through the single flight results of
/// unknown shape use (Python's memoize's path); a changed argument on another node recomputes, and
/// explain there names it from the entry the first computation stored.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class MemoizeAcrossNodesTests(RedisClusterFixture cluster) : ClusterNodesTest(cluster, "m")
{
    [Fact]
    public void FourProcessesOnTwoNodes_ComputeOnce_AndAChangedArgumentOnTheOtherNodeRecomputes_WhichExplainNames()
    {
        string counts = Directory.CreateDirectory(Path.Combine(NodeA.Root, "computed")).FullName;
        var children = new[] { NodeA, NodeA, NodeB, NodeB }
            .Select(node => ChildProcess.Start("memoize", node.CachePath, counts, "15", Cluster.Configuration, Prefix)).ToList();
        List<string> results = MemoizeChildren.AskAtOnce(children);

        Assert.Single(Directory.GetFiles(counts));
        Assert.Single(results.Distinct());
        Assert.Contains("first=1032", results[0], StringComparison.Ordinal);

        string explained = MemoizeChildren.ExplainThenCompute(ChildProcess.Start("memoize", NodeB.CachePath, counts, "12", Cluster.Configuration, Prefix));

        Assert.Equal("explain hit=False changed=argument flip_angles: [2, 5, 10, 15] → [2, 5, 10, 12]", explained);
        Assert.Equal(2, Directory.GetFiles(counts).Length);
    }
}
