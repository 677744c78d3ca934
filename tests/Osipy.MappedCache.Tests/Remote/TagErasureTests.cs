using System.Runtime.InteropServices;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;
using StackExchange.Redis;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// Erasing a subject everywhere: InvalidateTag on node A, with node B offline, removes the
/// subject's entries from A's directory, from the cluster (those only B ever held included) and,
/// when B next opens, from B's directory; no file and no key keeps their bytes, and other subjects'
/// entries stay. Nodes are real processes on their own directories, on a real 3-master cluster.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class TagErasureTests(RedisClusterFixture cluster) : ClusterNodesTest(cluster, "g")
{
    private const float FromA07 = 701, FromB07 = 707, FromA08 = 801, FromB08 = 808;

    [Fact]
    public void InvalidateTag_OnOneNode_ErasesTheSubjectFromTheClusterAndFromANodeThatWasOffline()
    {
        using (NodeProcess a = NodeProcess.Start(NodeA.CachePath, Cluster.Configuration, Prefix))
        using (NodeProcess b = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix))
        {
            Assert.Equal("ok", a.Do($"put dce a-07 {FromA07} tags=subject:07,study:x"));
            Assert.Equal("ok", a.Do($"put dce a-08 {FromA08} tags=subject:08,study:x"));
            Assert.Equal("ok", b.Do($"put dce b-07 {FromB07} tags=subject:07")); // A never holds this one
            Assert.Equal("ok", b.Do($"put dce b-08 {FromB08} tags=subject:08"));
            Assert.Equal($"{FromA07}", b.Do("get dce a-07")); // B's own copy of A's entry
            Assert.Equal($"{FromA08}", b.Do("get dce a-08"));
            b.Exit(); // B is offline from here on
            Assert.NotEmpty(FilesHolding(NodeB.Root, FromA07));
            Assert.NotEmpty(KeysHolding(FromB07));

            Assert.Equal("1", a.Do("invtag subject:07")); // one entry in A's directory; the cluster's go too
            a.Exit();
        }

        Assert.Empty(FilesHolding(NodeA.Root, FromA07));
        Assert.Empty(KeysHolding(FromA07));
        Assert.Empty(KeysHolding(FromB07));
        Assert.NotEmpty(KeysHolding(FromA08));
        Assert.NotEmpty(KeysHolding(FromB08));

        using (NodeProcess b = NodeProcess.Start(NodeB.CachePath, Cluster.Configuration, Prefix)) // B comes back
        {
            Assert.Equal("ok", b.Do("sync"));
            Assert.Equal("miss", b.Do("get dce a-07"));
            Assert.Equal("miss", b.Do("get dce b-07"));
            Assert.Equal($"{FromB08}", b.Do("get dce b-08"));
            Assert.Equal($"{FromA08}", b.Do("get dce a-08"));
            b.Exit();
        }

        Assert.Empty(FilesHolding(NodeB.Root, FromA07));
        Assert.Empty(FilesHolding(NodeB.Root, FromB07));
        Assert.NotEmpty(FilesHolding(NodeB.Root, FromB08));
        using NodeProcess c = NodeProcess.Start(NodeA.CachePath, Cluster.Configuration, Prefix);
        Assert.Equal("miss", c.Do("get dce b-07"));
        Assert.Equal($"{FromB08}", c.Do("get dce b-08"));
        c.Exit();
    }

    /// <summary>The first 64 elements of an array <see cref="Patterns.Fill"/> writes with <paramref name="stamp"/>: its bytes, wherever they are.</summary>
    private static byte[] Signature(float stamp)
    {
        var values = new float[64];
        Patterns.Fill(values, stamp);
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    /// <summary>Files under <paramref name="root"/> whose bytes hold the signature.</summary>
    private static List<string> FilesHolding(string root, float stamp) => FileContents.FilesHolding(root, Signature(stamp));

    /// <summary>Keys of this test's prefix, on every master, whose value holds the signature.</summary>
    private List<string> KeysHolding(float stamp)
    {
        byte[] signature = Signature(stamp);
        using ConnectionMultiplexer connection = ConnectionMultiplexer.Connect(Cluster.Configuration);
        IDatabase database = connection.GetDatabase();
        return [.. Cluster.Keys(Prefix + "*").Concat(Cluster.Keys("{" + Prefix + "}*"))
            .Where(key => database.KeyType(key) == RedisType.String && ((byte[]?)database.StringGet(key))?.AsSpan().IndexOf(signature) >= 0)];
    }
}
