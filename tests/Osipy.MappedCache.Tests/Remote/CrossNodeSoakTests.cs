using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// A bounded soak of the cross-node rule: 3 nodes x 2 worker processes put, replace, invalidate,
/// clear and get a small key set at random while the cluster is paused and resumed twice and
/// workers are killed or exit and come back; every get meanwhile is whole data or a miss.
/// Afterwards every node and a fresh one agree on every key, then on a last round of changes,
/// and no chunk key is left without a manifest or a time to live.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class CrossNodeSoakTests : ClusterNodesTest
{
    private const int Keys = 4;
    private static readonly TimeSpan Chaos = TimeSpan.FromSeconds(36);

    private readonly TempCacheDirectory _nodeC = new();
    private readonly TempCacheDirectory _fresh = new();
    private readonly TempCacheDirectory[] _nodes;

    public CrossNodeSoakTests(RedisClusterFixture cluster)
        : base(cluster, "k")
    {
        _nodes = [NodeA, NodeB, _nodeC];
    }

    protected override void DisposeNodes()
    {
        _nodeC.Dispose();
        _fresh.Dispose();
    }

    [Fact]
    public void ThreeNodesTwoProcessesEach_ThroughTwoOutagesAndRestarts_AgreeOnTheLastChangeOfEveryKey()
    {
        DateTime end = DateTime.UtcNow + Chaos;
        int stamp = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var drivers = new List<Thread>();
        for (int worker = 0; worker < 6; worker++)
        {
            TempCacheDirectory node = _nodes[worker % 3];
            int seed = worker;
            drivers.Add(new Thread(() => Drive(node, seed, end, () => Interlocked.Increment(ref stamp), failures)));
        }

        drivers.ForEach(d => d.Start());
        var outages = new Thread(() =>
        {
            // Two outages of 6 s inside the chaos, with changes made on every side of them.
            foreach (int startsAt in new[] { 8, 22 })
            {
                SleepUntil(end - Chaos + TimeSpan.FromSeconds(startsAt));
                Cluster.Pause();
                Thread.Sleep(TimeSpan.FromSeconds(6));
                Cluster.Resume();
            }
        });
        outages.Start();
        outages.Join();
        drivers.ForEach(d => Assert.True(d.Join(TimeSpan.FromSeconds(60)), "a driver never finished"));
        Assert.Empty(failures);
        Assert.True(stamp > 100, $"only {stamp} puts: the soak did not exercise the nodes");

        // Every node's journal drains once the cluster is back; then all agree with the cluster.
        var settled = _nodes.Select(n => NodeProcess.Start(n.CachePath, Cluster.Configuration, Prefix)).ToList();
        try
        {
            Assert.True(Eventually(() => _nodes.All(n => Directory.GetFiles(Path.Combine(n.CachePath, "remote", "pending")).Length == 0)), "a node never sent its journal");
            using NodeProcess fresh = NodeProcess.Start(_fresh.CachePath, Cluster.Configuration, Prefix);
            for (int k = 0; k < Keys; k++)
            {
                string expected = fresh.Do($"get s k{k}");
                Assert.True(Eventually(() => settled.All(n => n.Do($"get s k{k}") == expected)), $"k{k}: the nodes do not agree with the cluster's {expected}");
            }

            // A last round of known changes, from different nodes: every node, and a fresh one, sees exactly them.
            for (int k = 0; k < Keys; k++)
            {
                Assert.Equal("ok", settled[k % 3].Do(k == 0 ? "inv s k0" : $"put s k{k} {90000 + k}"));
            }

            fresh.Exit();
        }
        finally
        {
            settled.ForEach(n => n.Dispose());
        }

        foreach (TempCacheDirectory node in _nodes.Append(_fresh))
        {
            using NodeProcess reader = NodeProcess.Start(node.CachePath, Cluster.Configuration, Prefix);
            Assert.Equal("miss", reader.Do("get s k0"));
            for (int k = 1; k < Keys; k++)
            {
                Assert.Equal((90000 + k).ToString(), reader.Do($"get s k{k}"));
            }

            reader.Exit();
        }

        Assert.True(Eventually(() => Cluster.OrphanChunks(Prefix).Count == 0), string.Join(", ", Cluster.OrphanChunks(Prefix)));
    }

    /// <summary>One worker slot: random operations on its node's process, which it kills or ends and restarts now and then.</summary>
    private void Drive(TempCacheDirectory node, int seed, DateTime end, Func<int> nextStamp, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        var random = new Random(seed);
        NodeProcess worker = NodeProcess.Start(node.CachePath, Cluster.Configuration, Prefix, "--timeout-ms", "1000");
        try
        {
            while (DateTime.UtcNow < end)
            {
                string key = "k" + random.Next(Keys);
                int roll = random.Next(100);
                string command = roll switch
                {
                    < 35 => $"put s {key} {nextStamp()}",
                    < 45 => $"inv s {key}",
                    < 48 => "clear s",
                    _ => $"get s {key}",
                };
                string answer = worker.Do(command, TimeSpan.FromSeconds(60));
                if (answer.StartsWith("error", StringComparison.Ordinal) || answer == "torn")
                {
                    failures.Enqueue($"{command}: {answer}");
                }

                if (random.Next(40) == 0)
                {
                    // The process goes (killed, maybe in the middle of a change, or ending its session) and a new one takes its place.
                    if (random.Next(2) == 0)
                    {
                        worker.Send(random.Next(2) == 0 ? $"put s {key} {nextStamp()} 1500000" : $"inv s {key}");
                        Thread.Sleep(random.Next(30));
                        worker.KillHard();
                    }
                    else
                    {
                        worker.Exit();
                    }

                    worker.Dispose();
                    worker = NodeProcess.Start(node.CachePath, Cluster.Configuration, Prefix, "--timeout-ms", "1000");
                }
            }
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or IOException)
        {
            failures.Enqueue($"worker on {node.CachePath}: {ex.Message}");
        }
        finally
        {
            worker.Dispose();
        }
    }

    private static void SleepUntil(DateTime at)
    {
        TimeSpan wait = at - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }
    }
}
