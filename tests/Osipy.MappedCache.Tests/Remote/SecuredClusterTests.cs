using Osipy.MappedCache.Redis;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>A password-protected cluster: the tier's Password option reaches it; a wrong one is a counted failure whose messages never show a password.</summary>
[Collection(PasswordRedisClusterCollection.Name)]
public sealed class PasswordClusterTests(PasswordRedisClusterFixture cluster) : ClusterNodesTest(cluster, "pw")
{
    [Fact]
    public void WithThePassword_APutOnOneNodeIsAGetOnAnother()
    {
        SecuredClusterChecks.PutOnAGetOnB(NodeA, NodeB, () => Tier(PasswordRedisClusterFixture.Password));
    }

    [Fact]
    public void WithAWrongPassword_LocalWorkGoesOn_AndNoMessageShowsEitherPassword()
    {
        var log = new RecordingLogger();
        using RedisRemoteTier tier = Tier("wrong-password-9c1d");
        using (var cache = new IntermediateCache(NodeA.Config(RetentionPolicy.Persistent) with { Remote = tier }, TimeProvider.System, log))
        {
            cache.Put<float>("t1_map", "k", [1f], [1]);
            Assert.NotNull(cache.Get<float>("t1_map", "k"));
            Assert.True(cache.GetStats().RemoteErrors > 0);
        }

        Assert.NotEmpty(log.Entries);
        Assert.All(log.Entries, e =>
        {
            Assert.DoesNotContain("wrong-password", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(PasswordRedisClusterFixture.Password, e.Message, StringComparison.Ordinal);
        });
    }

    private RedisRemoteTier Tier(string password) => new(new RedisRemoteTierOptions
    {
        Configuration = Cluster.Configuration,
        KeyPrefix = Prefix,
        Password = password,
        OperationTimeout = TimeSpan.FromSeconds(2),
    });
}

/// <summary>A TLS-only cluster with a private CA, a host name other than the address, and client certificates: the tier's TLS options reach it.</summary>
[Collection(TlsRedisClusterCollection.Name)]
public sealed class TlsClusterTests(TlsRedisClusterFixture cluster) : ClusterNodesTest(cluster, "tls")
{
    private readonly TlsRedisClusterFixture _cluster = cluster;

    [Fact]
    public void WithTheCaFileHostNameAndClientCertificate_APutOnOneNodeIsAGetOnAnother()
    {
        SecuredClusterChecks.PutOnAGetOnB(NodeA, NodeB, () => new RedisRemoteTier(new RedisRemoteTierOptions
        {
            Configuration = _cluster.Configuration,
            KeyPrefix = Prefix,
            TlsCaFile = _cluster.FileNamed("ca.crt"),
            TlsHost = TlsRedisClusterFixture.HostName,
            TlsClientCertificateFile = _cluster.FileNamed("client.crt"),
            TlsClientKeyFile = _cluster.FileNamed("client.key"),
            OperationTimeout = TimeSpan.FromSeconds(5),
        }));
    }

    [Fact]
    public void WithoutTheClientCertificate_TheClusterRefuses_AndLocalWorkGoesOn()
    {
        using var tier = new RedisRemoteTier(new RedisRemoteTierOptions
        {
            Configuration = _cluster.Configuration,
            KeyPrefix = Prefix,
            TlsCaFile = _cluster.FileNamed("ca.crt"),
            TlsHost = TlsRedisClusterFixture.HostName,
            OperationTimeout = TimeSpan.FromSeconds(2),
        });
        using var cache = new IntermediateCache(NodeA.Config(RetentionPolicy.Persistent) with { Remote = tier });
        cache.Put<float>("t1_map", "k", [1f], [1]);
        Assert.NotNull(cache.Get<float>("t1_map", "k"));
        Assert.True(cache.GetStats().RemoteErrors > 0);
    }
}

/// <summary>Checks shared by the secured clusters' tests.</summary>
internal static class SecuredClusterChecks
{
    public static void PutOnAGetOnB(TempCacheDirectory nodeA, TempCacheDirectory nodeB, Func<RedisRemoteTier> tier)
    {
        float[] data = TestData.Ramp(2_000_000);
        using (RedisRemoteTier a = tier())
        using (var cache = new IntermediateCache(nodeA.Config(RetentionPolicy.Persistent) with { Remote = a }))
        {
            cache.Put<float>("t1_map", "k", data, [data.Length]);
            Assert.Equal(0, cache.GetStats().RemoteErrors);
        }

        using RedisRemoteTier b = tier();
        using var other = new IntermediateCache(nodeB.Config(RetentionPolicy.Persistent) with { Remote = b });
        using MappedArray<float> got = other.Get<float>("t1_map", "k")!;
        Assert.Equal(data, got.ReadOnlySpan.ToArray());
        Assert.Equal(1, other.GetStats().RemoteHits);
    }
}
