using Osipy.MappedCache.Redis;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>A cluster that evicts under memory pressure, and one that loses a master: whole arrays or misses, and local work goes on.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RemoteFailureTests : IDisposable
{
    private readonly RedisClusterFixture _cluster;
    private readonly TempCacheDirectory _nodeA = new();
    private readonly TempCacheDirectory _nodeB = new();
    private readonly string _prefix = "f" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<RedisRemoteTier> _tiers = [];

    public RemoteFailureTests(RedisClusterFixture cluster)
    {
        _cluster = cluster;
        if (cluster.Unavailable is { } why)
        {
            Assert.Skip(why);
        }
    }

    public void Dispose()
    {
        _tiers.ForEach(t => t.Dispose());
        _nodeA.Dispose();
        _nodeB.Dispose();
    }

    [Fact]
    public void AnOverfilledClusterEvictingChunks_GivesWholeArraysOrMisses_NeverPartialData_AndAPutHeals()
    {
        _cluster.ConfigSetEverywhere("maxmemory-policy", "allkeys-lru");
        _cluster.ConfigSetEverywhere("maxmemory", "24mb");
        try
        {
            const int Entries = 12, Elements = 1_500_000; // 12 x 6 MB, twice what the cluster may hold
            using (IntermediateCache a = Node(_nodeA, _cluster.Configuration))
            {
                for (int i = 0; i < Entries; i++)
                {
                    a.Put<float>("t1_map", $"k{i}", TestData.Ramp(Elements, i), [Elements]);
                }
            }

            int whole = 0, misses = 0;
            using (IntermediateCache b = Node(_nodeB, _cluster.Configuration))
            {
                for (int i = 0; i < Entries; i++)
                {
                    using MappedArray<float>? got = b.Get<float>("t1_map", $"k{i}");
                    if (got is null)
                    {
                        misses++;
                    }
                    else
                    {
                        Assert.Equal(TestData.Ramp(Elements, i), got.ReadOnlySpan.ToArray()); // never partial, never another's
                        whole++;
                    }
                }

                Assert.True(misses > 0, "the cluster evicted nothing: the test did not overfill it");
                Assert.Equal(Entries, whole + misses);
            }

            using (IntermediateCache a = Node(_nodeA, _cluster.Configuration))
            {
                a.Put<float>("t1_map", "healed", TestData.Ramp(1000, 5), [1000]);
            }

            using var third = new TempCacheDirectory();
            using IntermediateCache c = Node(third, _cluster.Configuration);
            using MappedArray<float> healed = c.Get<float>("t1_map", "healed")!;
            Assert.Equal(TestData.Ramp(1000, 5), healed.ReadOnlySpan.ToArray());
        }
        finally
        {
            _cluster.ConfigSetEverywhere("maxmemory", "0");
            _cluster.ConfigSetEverywhere("maxmemory-policy", "noeviction");
        }
    }

    [Fact]
    public void AMasterKilled_CallsOnItsSlotsFailAsCountedMisses_AndLocalWorkGoesOn()
    {
        using var cluster = new RedisClusterFixture(); // its own: this one is broken on purpose
        if (cluster.Unavailable is { } why)
        {
            Assert.Skip(why);
        }

        using (IntermediateCache a = Node(_nodeA, cluster.Configuration))
        {
            for (int i = 0; i < 6; i++)
            {
                a.Put<float>("t1_map", $"k{i}", TestData.Ramp(2_000_000, i), [2_000_000]); // 8 MB: chunks on every shard
            }
        }

        cluster.KillMaster(cluster.Ports[1]);

        using IntermediateCache b = Node(_nodeB, cluster.Configuration, timeout: TimeSpan.FromSeconds(1));
        for (int i = 0; i < 6; i++)
        {
            using MappedArray<float>? got = b.Get<float>("t1_map", $"k{i}");
            if (got is not null)
            {
                Assert.Equal(TestData.Ramp(2_000_000, i), got.ReadOnlySpan.ToArray());
            }
        }

        CacheStats stats = b.GetStats();
        Assert.True(stats.RemoteErrors + stats.RemoteMisses > 0, "losing a master went unnoticed");
        b.Put<float>("t1_map", "local", [3f], [1]); // the upload fails, the local put does not
        using MappedArray<float> local = b.Get<float>("t1_map", "local")!;
        Assert.Equal(3f, local.ReadOnlySpan[0]);
    }

    private IntermediateCache Node(TempCacheDirectory dir, string configuration, TimeSpan? timeout = null)
    {
        var tier = new RedisRemoteTier(new RedisRemoteTierOptions
        {
            Configuration = configuration,
            KeyPrefix = _prefix,
            OperationTimeout = timeout ?? TimeSpan.FromSeconds(5),
        });
        _tiers.Add(tier);
        return new IntermediateCache(dir.Config(RetentionPolicy.Persistent) with { Remote = tier });
    }
}
