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
    private const int Operations = 3000;

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
        var progress = new Progress();
        int stamp = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var drivers = new List<Thread>();
        for (int worker = 0; worker < 6; worker++)
        {
            TempCacheDirectory node = _nodes[worker % 3];
            int seed = worker;
            drivers.Add(new Thread(() => Drive(node, seed, progress, () => Interlocked.Increment(ref stamp), failures)));
        }

        drivers.ForEach(d => d.Start());

        // Two outages, each begun and ended after so many operations, so changes are made on every side of them.
        foreach ((int pauseAt, int resumeAt) in new[] { (Operations / 5, 2 * Operations / 5), (3 * Operations / 5, 4 * Operations / 5) })
        {
            progress.WaitFor(pauseAt);
            Cluster.Pause();
            progress.WaitFor(resumeAt);
            Cluster.Resume();
        }

        drivers.ForEach(d => Assert.True(d.Join(TimeSpan.FromSeconds(120)), "a driver never finished"));
        Assert.Empty(failures);
        Assert.True(stamp > 100, $"only {stamp} puts: the soak did not exercise the nodes");

        // A check on every node sends what it journalled (its dead processes' changes too), a second
        // applies what the others sent: then every node agrees with the cluster.
        var settled = _nodes.Select(n => NodeProcess.Start(n.CachePath, Cluster.Configuration, Prefix)).ToList();
        try
        {
            foreach (string round in new[] { "send", "apply" })
            {
                settled.ForEach(n => Assert.Equal("ok", n.Do("sync")));
            }

            Assert.All(_nodes, n => Assert.Empty(Directory.GetFiles(Path.Combine(n.CachePath, "remote", "pending"))));
            using NodeProcess fresh = NodeProcess.Start(_fresh.CachePath, Cluster.Configuration, Prefix);
            for (int k = 0; k < Keys; k++)
            {
                string expected = fresh.Do($"get s k{k}");
                Assert.All(settled, n => Assert.Equal(expected, n.Do($"get s k{k}")));
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

        Assert.Empty(Cluster.OrphanChunks(Prefix)); // the readers' checks finished what killed writers left
    }

    /// <summary>One worker slot: random operations on its node's process, which it kills or ends and restarts now and then.</summary>
    private void Drive(TempCacheDirectory node, int seed, Progress progress, Func<int> nextStamp, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        var random = new Random(seed);
        NodeProcess worker = NodeProcess.Start(node.CachePath, Cluster.Configuration, Prefix, "--timeout-ms", "1000");
        try
        {
            while (progress.Done() < Operations)
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
                        worker.KillHard(); // wherever the change has got to

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

    /// <summary>Operations done by all drivers; the outages wait on it.</summary>
    private sealed class Progress
    {
        private readonly object _gate = new();
        private int _done;

        /// <summary>Counts one operation; returns the count before it.</summary>
        public int Done()
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
                return _done++;
            }
        }

        public void WaitFor(int operations)
        {
            lock (_gate)
            {
                while (_done < operations)
                {
                    Assert.True(Monitor.Wait(_gate, TimeSpan.FromSeconds(120)), $"the drivers stopped at {_done} operations");
                }
            }
        }
    }
}
