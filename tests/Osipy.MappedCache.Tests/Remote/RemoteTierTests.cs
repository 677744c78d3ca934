using Osipy.MappedCache.Redis;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>The remote tier's contract, on a real 3-master Redis Cluster.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterRemoteTierTests(RedisClusterFixture cluster) : RemoteTierTests(cluster);

/// <summary>The remote tier's contract, on a Garnet server hosted in the test process.</summary>
[Collection(GarnetCollection.Name)]
public sealed class GarnetRemoteTierTests(GarnetFixture garnet) : RemoteTierTests(garnet);

/// <summary>
/// The remote tier's contract on a real server: two nodes are two caches on separate local
/// directories, each with its own connections. A PERSISTENT put on one is a get on the other, as
/// a local mapping; damaged or missing pieces are misses, never data; an unreachable cluster
/// never breaks local work; replaces and invalidations reach the other node.
/// </summary>
public abstract class RemoteTierTests : IDisposable
{
    private readonly IRemoteTestStore _cluster;
    private readonly TempCacheDirectory _nodeA = new();
    private readonly TempCacheDirectory _nodeB = new();
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<RedisRemoteTier> _tiers = [];

    protected RemoteTierTests(IRemoteTestStore cluster)
    {
        _cluster = cluster;
        if (cluster.Unavailable is { } why)
        {
            Assert.Skip(why);
        }
    }

    public void Dispose()
    {
        foreach (RedisRemoteTier tier in _tiers)
        {
            tier.Dispose();
        }

        _nodeA.Dispose();
        _nodeB.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void PersistentPut_OnOneNode_IsAGetOnAnother_ThenLocal_EvenWithoutTheCluster()
    {
        float[] data = TestData.Ramp(3_000_000); // 12 MB: three 4 MiB chunks
        using (var a = Node(_nodeA))
        {
            a.Put<float>("t1_map", "subject-01", data, [data.Length], new Dictionary<string, object?> { ["model"] = "tofts" });
        }

        using (var b = Node(_nodeB))
        {
            using MappedArray<float> got = b.Get<float>("t1_map", "subject-01")!;
            Assert.Equal(data, got.ReadOnlySpan.ToArray());
            Assert.Equal("tofts", got.Entry.Metadata["model"]);
            Assert.Equal(1, b.GetStats().RemoteHits);
        }

        Assert.Single(_nodeB.SegmentFiles()); // published on B's disk: a local mapping from now on
        using var offline = new IntermediateCache(_nodeB.Config(RetentionPolicy.Persistent) with { Remote = Unreachable() });
        using MappedArray<float> local = offline.Get<float>("t1_map", "subject-01")!;
        Assert.Equal(data[^1], local.ReadOnlySpan[^1]);
        Assert.Equal(1, offline.GetStats().RemoteErrors); // the open's look at the change log; a local hit never asks the cluster
    }

    [Fact]
    public void CompressedAndBundleEntries_TravelToo()
    {
        using (var a = Node(_nodeA, compression: true))
        {
            a.Put<float>("t1_map", "zipped", TestData.Ramp(500_000), [500_000]);
            a.Put("fits", "bundle", new Dictionary<string, Array> { ["ktrans"] = TestData.Ramp(1000), ["ve"] = TestData.Ramp(1000, 3) });
        }

        using var b = Node(_nodeB);
        using MappedArray<float> zipped = b.Get<float>("t1_map", "zipped")!;
        Assert.Equal(TestData.Ramp(500_000), zipped.ReadOnlySpan.ToArray());
        using MappedBundle bundle = b.GetBundle("fits", "bundle")!;
        Assert.Equal(TestData.Ramp(1000, 3), bundle.Get<float>("ve").ReadOnlySpan.ToArray());
    }

    [Fact]
    public void CachedAndTransientEntries_StayOnTheirNode()
    {
        using var a = Node(_nodeA);
        a.Put<float>("session_only", "k", [1f], [1]);
        using var b = Node(_nodeB);
        Assert.Null(b.Get<float>("session_only", "k"));
        Assert.Equal(0, b.GetStats().RemoteHits);
    }

    [Fact]
    public void AChunkFlippedInTheCluster_IsACountedMiss_NotData_AndTheNextPutHeals()
    {
        float[] data = TestData.Ramp(2_000_000);
        using (var a = Node(_nodeA))
        {
            a.Put<float>("t1_map", "k", data, [data.Length]);
        }

        string chunk = ChunkKeys().First();
        _cluster.Cli("SETRANGE", chunk, "5000", "X");

        using (var b = Node(_nodeB))
        {
            Assert.Null(b.Get<float>("t1_map", "k"));
            Assert.Equal(1, b.GetStats().RemoteMisses);
            Assert.Empty(_nodeB.SegmentFiles());
        }

        Assert.Empty(ManifestKeys()); // removed, so the next put heals it
        using (var a = Node(_nodeA))
        {
            a.Put<float>("t1_map", "k", data, [data.Length]);
        }

        using var healed = Node(_nodeB);
        using MappedArray<float> got = healed.Get<float>("t1_map", "k")!;
        Assert.Equal(data, got.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void ADownloadOfManyChunks_HoldsAtMostTheWindow_AndIsByteForByte()
    {
        float[] data = TestData.Ramp(1_000_000); // 4 MB: 62 chunks of 64 KiB
        using (var a = new IntermediateCache(_nodeA.Config(RetentionPolicy.Persistent) with { Remote = Tier(64 * 1024, window: 3) }))
        {
            a.Put<float>("t1_map", "k", data, [data.Length]);
        }

        RedisRemoteTier reader = Tier(64 * 1024, window: 3);
        using var b = new IntermediateCache(_nodeB.Config(RetentionPolicy.Persistent) with { Remote = reader });
        using MappedArray<float> got = b.Get<float>("t1_map", "k")!;
        Assert.Equal(data, got.ReadOnlySpan.ToArray());
        Assert.Equal(1, b.GetStats().RemoteHits);
        Assert.Equal(3, reader.MostChunksHeld); // the window, not the entry's 62 chunks
    }

    [Fact]
    public void AMissingChunk_IsAMiss_NeverAPartialArray()
    {
        using (var a = Node(_nodeA))
        {
            a.Put<float>("t1_map", "k", TestData.Ramp(2_000_000), [2_000_000]);
        }

        _cluster.Cli("DEL", ChunkKeys().Last()); // as allkeys-lru eviction would
        using var b = Node(_nodeB);
        Assert.Null(b.Get<float>("t1_map", "k"));
        Assert.Equal(1, b.GetStats().RemoteMisses);
        Assert.Empty(_nodeB.SegmentFiles());
        Assert.Empty(Directory.GetFiles(_nodeB.CachePath, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void InvalidateOnOneNode_RemovesTheRemoteEntry_LeavingOnlyItsTombstone()
    {
        using var a = Node(_nodeA);
        a.Put<float>("t1_map", "k", [1f, 2f], [2]);
        a.Invalidate("t1_map", "k");

        using var b = Node(_nodeB);
        Assert.Null(b.Get<float>("t1_map", "k"));
        Assert.Contains("\"removed\":true", _cluster.Cli("GET", Assert.Single(ManifestKeys())), StringComparison.Ordinal);
        Assert.Empty(ChunkKeys());
    }

    [Fact]
    public void ReplaceOnOneNode_IsSeenByTheNextGetOnAnother_WhoseSessionDropsItsLocalCopy()
    {
        using var a = Node(_nodeA);
        using var b = Node(_nodeB);
        a.Put<float>("t1_map", "k", [1f], [1]);
        using (MappedArray<float> first = b.Get<float>("t1_map", "k")!)
        {
            Assert.Equal(1f, first.ReadOnlySpan[0]); // now a local copy on B
        }

        using MappedArray<float> held = b.Get<float>("t1_map", "k")!;
        a.Put<float>("t1_map", "k", [2f, 2f], [2]);

        // Pub/sub delivery is asynchronous: within the coherence window, B's next get sees the new value.
        Assert.True(SpinWait.SpinUntil(() => ValueOn(b) == 2f, TimeSpan.FromSeconds(10)), "node B never saw the replacement");
        Assert.Equal(1f, held.ReadOnlySpan[0]); // a lease keeps its snapshot
        Assert.Equal(2, b.GetStats().RemoteHits);
    }

    [Fact]
    public void InvalidateAndClearOnOneNode_DropTheOtherNodesLocalCopies()
    {
        using var a = Node(_nodeA);
        using var b = Node(_nodeB);
        a.Put<float>("t1_map", "one", [1f], [1]);
        a.Put<float>("t1_map", "two", [2f], [1]);
        b.Get<float>("t1_map", "one")!.Dispose();
        b.Get<float>("t1_map", "two")!.Dispose();
        Assert.Equal(2, _nodeB.SegmentFiles().Length);

        a.Invalidate("t1_map", "one");
        Assert.True(SpinWait.SpinUntil(() => !b.Has("t1_map", "one"), TimeSpan.FromSeconds(10)), "node B kept its copy of an invalidated entry");
        Assert.Null(b.Get<float>("t1_map", "one"));

        a.Clear("t1_map");
        Assert.True(SpinWait.SpinUntil(() => _nodeB.SegmentFiles().Length == 0, TimeSpan.FromSeconds(10)), "node B kept its copies after a clear");
        Assert.Null(b.Get<float>("t1_map", "two"));
    }

    [Fact]
    public void AGetOfAKeyThatAnotherThreadIsCreating_WaitsForIt_NeverDeadlocks()
    {
        using IntermediateCache cache = Node(_nodeA);
        using var filling = new ManualResetEventSlim();
        using var finish = new ManualResetEventSlim();
        MappedArray<float>? created = null, got = null;
        var creator = new Thread(() => created = cache.GetOrCreate<float>("t1_map", "k", [3], writer =>
        {
            filling.Set();
            finish.Wait(TimeSpan.FromSeconds(30));
            writer.Span.Fill(4f);
        }));
        creator.Start();
        Assert.True(filling.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var getter = new Thread(() => got = cache.Get<float>("t1_map", "k")); // a miss that would fetch remotely
        getter.Start();
        finish.Set();

        Assert.True(creator.Join(TimeSpan.FromSeconds(30)) && getter.Join(TimeSpan.FromSeconds(30)), "a get and a GetOrCreate of one key deadlocked");
        using (created)
        using (got)
        {
            Assert.Equal(4f, created!.ReadOnlySpan[2]);
            Assert.True(got is null || got.ReadOnlySpan[2] == 4f); // it waited and hit, or missed before the fill began
        }
    }

    [Fact]
    public void OfTwoUploadsBegunFromTheSameEntry_TheFirstToCommitWins_AndTheOtherLeavesNothing()
    {
        RedisRemoteTier first = Tier(), second = Tier();
        var slow = new GatedSource(new byte[9 * 1024 * 1024], fill: 1, stamp: "slow"); // three chunks; the last waits
        bool? slowCommitted = null;
        var uploader = new Thread(() => slowCommitted = first.Upload("t1_map", "k", slow));
        uploader.Start();
        Assert.True(slow.Reached.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "the upload never asked for its last chunk");

        Assert.True(second.Upload("t1_map", "k", new GatedSource(new byte[5 * 1024 * 1024], fill: 2, stamp: "fast", open: true)));
        slow.Open();
        Assert.True(uploader.Join(TimeSpan.FromSeconds(30)));

        Assert.False(slowCommitted); // it began before the other's commit: it lost
        RemoteEntry entry = second.Find("t1_map", "k")!;
        Assert.Equal(5 * 1024 * 1024, entry.Length);
        Assert.True(SpinWait.SpinUntil(() => ChunkKeys().Length == 2, TimeSpan.FromSeconds(10)), "the losing upload's chunks stayed");

        // A later upload begins from the committed entry, so a replace still replaces.
        Assert.True(first.Upload("t1_map", "k", new GatedSource(new byte[1024 * 1024], fill: 3, stamp: "later", open: true)));
        Assert.Equal(1024 * 1024, second.Find("t1_map", "k")!.Length);
    }

    [Fact]
    public void APutThatLosesTheRace_DropsItsLocalCopy_AndTheNodeMapsTheWinnersEntry()
    {
        var gated = new GatedTier(Tier());
        using var a = new IntermediateCache(_nodeA.Config(RetentionPolicy.Persistent) with { Remote = gated });
        using var b = Node(_nodeB);
        float[] mine = TestData.Ramp(3_000_000), theirs = TestData.Ramp(3_000_000, 7);
        var putter = new Thread(() => a.Put<float>("t1_map", "k", mine, [mine.Length]));
        putter.Start();
        Assert.True(gated.Reached.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "node A's upload never began");

        b.Put<float>("t1_map", "k", theirs, [theirs.Length]); // begun later, committed first
        gated.Open();
        Assert.True(putter.Join(TimeSpan.FromSeconds(30)));

        Assert.Equal(1, a.GetStats().RemoteConflicts);
        using MappedArray<float> got = a.Get<float>("t1_map", "k")!;
        Assert.Equal(theirs, got.ReadOnlySpan.ToArray());
        Assert.Equal(1, a.GetStats().RemoteHits); // fetched: A's own copy was dropped
    }

    [Fact]
    public void AnUnreachableCluster_NeverBreaksLocalWork_AndIsCounted_ThenSkippedWhileBackingOff()
    {
        using var cache = new IntermediateCache(_nodeA.Config(RetentionPolicy.Persistent) with { Remote = Unreachable() });
        cache.Put<float>("t1_map", "k", [1f, 2f], [2]);
        using (MappedArray<float> local = cache.Get<float>("t1_map", "k")!)
        {
            Assert.Equal(2f, local.ReadOnlySpan[1]);
        }

        Assert.Null(cache.Get<float>("t1_map", "absent"));
        CacheStats stats = cache.GetStats();
        Assert.Equal(1, stats.RemoteErrors); // the open's look at the change log: the upload and the look-up skip the tier during the back-off
        Assert.Equal(1, stats.Misses);
        Assert.Single(Directory.GetFiles(Path.Combine(_nodeA.CachePath, "remote", "pending"))); // the upload, journalled for when the cluster is back
    }

    private static float? ValueOn(IntermediateCache cache)
    {
        using MappedArray<float>? array = cache.Get<float>("t1_map", "k");
        return array?.ReadOnlySpan[0];
    }

    private RedisRemoteTier Tier(int chunkBytes = 4 * 1024 * 1024, int window = 8)
    {
        var tier = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = _cluster.Configuration, KeyPrefix = _prefix, ChunkBytes = chunkBytes, Window = window });
        _tiers.Add(tier);
        return tier;
    }

    private IntermediateCache Node(TempCacheDirectory dir, bool compression = false)
    {
        return new IntermediateCache(dir.Config(RetentionPolicy.Persistent) with
        {
            Remote = Tier(),
            Policies = new Dictionary<string, RetentionPolicy> { ["session_only"] = RetentionPolicy.Cached },
            Compression = compression,
        });
    }

    private RedisRemoteTier Unreachable()
    {
        // A loopback port nothing listens on: every call fails fast.
        var tier = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = "127.0.0.1:1", KeyPrefix = _prefix, OperationTimeout = TimeSpan.FromMilliseconds(500) });
        _tiers.Add(tier);
        return tier;
    }

    private string[] ManifestKeys() => _cluster.Keys("{" + _prefix + "}:m:*");

    private string[] ChunkKeys() => _cluster.Keys($"{_prefix}:c:*");

    /// <summary>A segment's bytes in memory whose last slice waits until <see cref="Open"/>: an upload held just before its commit.</summary>
    private sealed class GatedSource(byte[] bytes, byte fill, string stamp, bool open = false) : RemoteSegmentSource
    {
        private readonly ManualResetEventSlim _open = new(open);

        public ManualResetEventSlim Reached { get; } = new();

        public override long Length => bytes.Length;

        public override string Stamp => stamp;

        public void Open() => _open.Set();

        public override ReadOnlyMemory<byte> Slice(long offset, int length)
        {
            bytes.AsSpan((int)offset, length).Fill(fill);
            if (offset + length == bytes.Length)
            {
                Reached.Set();
                Assert.True(_open.Wait(TimeSpan.FromSeconds(30)), "never opened");
            }

            return bytes.AsMemory((int)offset, length);
        }
    }

    /// <summary>A tier whose uploads wait, once they have asked for their last slice, until <see cref="Open"/>.</summary>
    private sealed class GatedTier(IRemoteTier inner) : IRemoteTier
    {
        private readonly ManualResetEventSlim _open = new();

        public ManualResetEventSlim Reached { get; } = new();

        public void Open() => _open.Set();

        public bool Upload(string resultType, string key, RemoteSegmentSource segment) => inner.Upload(resultType, key, new Held(this, segment));

        public RemoteEntry? Find(string resultType, string key) => inner.Find(resultType, key);

        public bool Download(RemoteEntry entry, RemoteSegmentTarget target) => inner.Download(entry, target);

        public void Remove(string resultType, string key) => inner.Remove(resultType, key);

        public void Clear(string? resultType) => inner.Clear(resultType);

        public IReadOnlyList<RemoteKey> RemoveTagged(string tag) => inner.RemoveTagged(tag);

        public IDisposable? TryLease(string resultType, string key, string node) => inner.TryLease(resultType, key, node);

        public IReadOnlyList<RemoteKeyState> Check(IReadOnlyList<RemoteKey> keys) => inner.Check(keys);

        public void Discard(RemoteEntry entry) => inner.Discard(entry);

        public RemoteChangeLog ReadChanges(string? after) => inner.ReadChanges(after);

        public IDisposable Subscribe(Action<RemoteChange> onChange) => inner.Subscribe(onChange);

        private sealed class Held(GatedTier tier, RemoteSegmentSource segment) : RemoteSegmentSource
        {
            public override long Length => segment.Length;

            public override string Stamp => segment.Stamp;

            public override IReadOnlyList<string> Tags => segment.Tags;

            public override ReadOnlyMemory<byte> Slice(long offset, int length)
            {
                ReadOnlyMemory<byte> slice = segment.Slice(offset, length);
                if (offset + length == Length)
                {
                    tier.Reached.Set();
                    Assert.True(tier._open.Wait(TimeSpan.FromSeconds(30)), "never opened");
                }

                return slice;
            }
        }
    }
}
