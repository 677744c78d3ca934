namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// A test class whose nodes share one real cluster: node A and node B are separate cache
/// directories, <see cref="Prefix"/> keeps the class's keys apart from other classes' on the same
/// cluster, and the tests skip (with the reason) where the cluster cannot be started.
/// </summary>
public abstract class ClusterNodesTest : IDisposable
{
    protected ClusterNodesTest(RedisClusterFixture cluster, string prefixLetter)
    {
        Cluster = cluster;
        Prefix = prefixLetter + Guid.NewGuid().ToString("N")[..12];
        if (cluster.Unavailable is { } why)
        {
            Assert.Skip(why);
        }
    }

    protected RedisClusterFixture Cluster { get; }

    protected TempCacheDirectory NodeA { get; } = new();

    protected TempCacheDirectory NodeB { get; } = new();

    protected string Prefix { get; }

    public void Dispose()
    {
        Cluster.Resume(); // never leave the shared cluster paused, whatever failed
        DisposeNodes();
        NodeA.Dispose();
        NodeB.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Ends what the derived class started (worker processes, tiers) before the directories go.</summary>
    protected virtual void DisposeNodes()
    {
    }
}
