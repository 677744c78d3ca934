using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// A PERSISTENT fill in blocks shares its finished blocks through the cluster: when its process is
/// SIGKILLed, another node that takes the key's lease over computes only the missing blocks.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ResumableFillAcrossNodesTests(RedisClusterFixture cluster) : ClusterNodesTest(cluster, "u")
{
    [Fact]
    public void FillOf64Blocks_KilledInsideBlock33OnNodeA_NodeBTakesOver_AndFillsOnlyBlocks33To63()
    {
        using (var nodeA = ChildProcess.Start("fill-blocks", NodeA.CachePath, "k", "64", "33", Cluster.Configuration, Prefix))
        {
            nodeA.WaitForLine("inside 33");
            nodeA.KillHard(); // holding the cluster's lease, which lapses after its second
        }

        List<string> lines;
        using (var nodeB = ChildProcess.Start("fill-blocks", NodeB.CachePath, "k", "64", "-1", Cluster.Configuration, Prefix))
        {
            int exit = nodeB.WaitForExit();
            Assert.True(exit == 0, $"node B exited {exit}: {nodeB.Stderr}");
            lines = nodeB.ReadToEnd();
        }

        Assert.Contains("committed", lines);
        Assert.Equal(Enumerable.Range(33, 31), lines.Where(l => l.StartsWith("block ", StringComparison.Ordinal)).Select(l => int.Parse(l[6..])));
        using var cache = new IntermediateCache(NodeB.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0));
        using MappedArray<float> resumed = cache.Get<float>("p", "k")!;
        using MappedArray<float> uninterrupted = cache.GetOrCreate<float>("p", "other", BlockFills.Shape, 64, (_, firstRow, _, block) => BlockFills.FillBlock(firstRow, block));
        Assert.Equal(uninterrupted.ComputePayloadChecksum(), resumed.ComputePayloadChecksum());
        Assert.Empty(Cluster.Keys(Prefix + ":u:*")); // the unfinished entry went at the commit
    }

    [Fact]
    public void ABlockInTheClusterThatFailsItsCheck_IsComputedAgain_NotUsed()
    {
        using (var nodeA = ChildProcess.Start("fill-blocks", NodeA.CachePath, "k", "64", "33", Cluster.Configuration, Prefix))
        {
            nodeA.WaitForLine("inside 33");
            nodeA.KillHard();
        }

        // Block 5 (rows 20-23: 16,000 bytes) rewritten by someone without the secret: the right
        // length ('A' = a 65-character digest, then 16,000 bytes), other bytes, a digest of its own.
        string block5 = Assert.Single(Cluster.Keys(Prefix + ":u:*"), k => k.EndsWith(":5", StringComparison.Ordinal));
        Cluster.Cli("SET", block5, "A" + new string('0', 65) + new string('x', 16_000));

        List<string> lines;
        using (var nodeB = ChildProcess.Start("fill-blocks", NodeB.CachePath, "k", "64", "-1", Cluster.Configuration, Prefix))
        {
            int exit = nodeB.WaitForExit();
            Assert.True(exit == 0, $"node B exited {exit}: {nodeB.Stderr}");
            lines = nodeB.ReadToEnd();
        }

        Assert.Equal([5, .. Enumerable.Range(33, 31)], lines.Where(l => l.StartsWith("block ", StringComparison.Ordinal)).Select(l => int.Parse(l[6..])));
        using var cache = new IntermediateCache(NodeB.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0));
        using MappedArray<float> resumed = cache.Get<float>("p", "k")!;
        using MappedArray<float> uninterrupted = cache.GetOrCreate<float>("p", "other", BlockFills.Shape, 64, (_, firstRow, _, block) => BlockFills.FillBlock(firstRow, block));
        Assert.Equal(uninterrupted.ComputePayloadChecksum(), resumed.ComputePayloadChecksum());
    }
}
