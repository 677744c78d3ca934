using Osipy.MappedCache.Redis;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// What a writer without the shared secret can do to a cluster whose nodes have one: nothing that
/// is served or acted on. The nodes are real processes; the forger is a tier without the secret.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RemoteSecurityTests(RedisClusterFixture cluster) : ClusterNodesTest(cluster, "s")
{
    private const string Secret = "a lab's shared secret, 32 bytes!";

    private readonly TempCacheDirectory _forger = new();
    private readonly List<NodeProcess> _workers = [];

    protected override void DisposeNodes()
    {
        _workers.ForEach(w => w.Dispose());
        _forger.Dispose();
    }

    [Fact]
    public void AValidSegmentUploadedWithoutTheSecret_IsACountedCorruptMiss_NeverData()
    {
        NodeProcess a = Worker(NodeA);
        Assert.Equal("ok", a.Do("put t1_map k 1 3000000"));

        // The forger writes a perfectly valid segment of the same key, with checksums and a manifest
        // that would pass every check but the authentication.
        using (var forger = new IntermediateCache(_forger.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0) with { Remote = Unauthenticated() }))
        {
            float[] forged = new float[3_000_000];
            Array.Fill(forged, 666f);
            forger.Put<float>("t1_map", "k", forged, [forged.Length]);
        }

        NodeProcess b = Worker(NodeB);
        Assert.Equal("miss", b.Do("get t1_map k"));
        Assert.Contains("corrupt=1", b.Do("stats"), StringComparison.Ordinal);
        Assert.Empty(NodeB.SegmentFiles());
        Assert.Equal("1", a.Do("get t1_map k")); // the node that had the genuine entry keeps it
    }

    [Fact]
    public void ATombstoneOrNoticeWithoutTheSecret_RemovesNothing()
    {
        NodeProcess a = Worker(NodeA);
        Assert.Equal("ok", a.Do("put t1_map k 4"));
        int heard = int.Parse(a.Do("notices 1")); // its own put's notice
        using (var forger = new IntermediateCache(_forger.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0) with { Remote = Unauthenticated() }))
        {
            forger.Invalidate("t1_map", "k"); // commits an unauthenticated tombstone, logged and announced
            forger.Clear(null);
        }

        Cluster.Cli("PUBLISH", Prefix + ":changes", "{\"t\":null,\"k\":null}");
        Assert.True(int.Parse(a.Do($"notices {heard + 2}")) >= heard + 2, "the forger's notices never arrived"); // its removal's, and the PUBLISH
        Assert.Equal("ok", a.Do("sync")); // the log holds the forger's removal: applied now, after any check the notices caused
        Assert.Equal("4", a.Do("get t1_map k"));
        using NodeProcess fresh = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix, "--secret", Secret);
        Assert.Equal("miss", fresh.Do("get t1_map k")); // a fresh node finds no authentic record: a miss, not the forger's
    }

    [Fact]
    public void OptionsAndErrors_NeverShowCredentials()
    {
        var options = new RedisRemoteTierOptions
        {
            Configuration = "127.0.0.1:1,password=hunter2-in-the-string",
            Password = "hunter2-property",
            SharedSecret = "hunter2-shared-secret-of-32-bytes",
        };
        string shown = options.ToString();
        Assert.DoesNotContain("hunter2", shown, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", shown, StringComparison.Ordinal);

        var broken = options with { Configuration = "127.0.0.1:1,password=hunter2,=,,abortConnect=maybe" };
        var error = Record.Exception(() => new RedisRemoteTier(broken));
        Assert.DoesNotContain("hunter2", error?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    private RedisRemoteTier Unauthenticated() => new(new RedisRemoteTierOptions { Configuration = Cluster.Configuration, KeyPrefix = Prefix });

    private NodeProcess Worker(TempCacheDirectory node)
    {
        NodeProcess worker = NodeProcess.Start(node.CachePath, Cluster.Configuration, Prefix, "--secret", Secret);
        _workers.Add(worker);
        return worker;
    }
}
