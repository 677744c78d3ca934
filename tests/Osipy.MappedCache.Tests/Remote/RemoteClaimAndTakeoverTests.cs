using Microsoft.Extensions.Logging;
using Osipy.MappedCache.Redis;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.Tests.Processes;

namespace Osipy.MappedCache.Tests.Remote;

/// <summary>
/// A manifest's claims reserve nothing; a dead filler on the waiter's own node is taken over at
/// once; a fill asking for its own key is an error, not a hang; an outage is one warning and then
/// local speed.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RemoteClaimAndTakeoverTests(RedisClusterFixture cluster) : ClusterNodesTest(cluster, "c")
{
    private readonly TempCacheDirectory _seed = new();

    protected override void DisposeNodes()
    {
        _seed.Dispose();
    }

    [Fact]
    public void AManifestClaimingGigabytes_ReservesNothingOnDisk_BeforeItsChunksArrive()
    {
        // A manifest (format 3, no secret) claiming 1 GiB in 256 chunks that do not exist.
        string sums = string.Join(",", Enumerable.Repeat("\"0000000000000000\"", 256));
        string claim = $"{{\"v\":3,\"type\":\"t1_map\",\"key\":\"big\",\"gen\":1,\"length\":{1L << 30},\"chunk\":{4 << 20},\"version\":\"ffff\",\"stamp\":\"x\",\"created\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()},\"alg\":\"xxh3\",\"sums\":[{sums}]}}";
        using (var writer = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = Cluster.Configuration, KeyPrefix = Prefix }))
        {
            // Its id is the tier's own: make it by a real put of the key, then overwrite the record.
            using var seed = new IntermediateCache(_seed.Config(RetentionPolicy.Persistent) with { Remote = writer });
            seed.Put<float>("t1_map", "big", [1f], [1]);
        }

        string manifestKey = Assert.Single(Cluster.Keys("{" + Prefix + "}:m:*"));
        Cluster.Cli("SET", manifestKey, claim);

        long allocatedDuringDownload = -1;
        var tier = new ObservingTier(
            new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = Cluster.Configuration, KeyPrefix = Prefix }),
            () => allocatedDuringDownload = Directory.GetFiles(NodeA.CachePath, ".tmp-*", SearchOption.AllDirectories).Sum(AllocatedBytes));
        using (var cache = new IntermediateCache(NodeA.Config(RetentionPolicy.Persistent) with { Remote = tier }))
        {
            Assert.Null(cache.Get<float>("t1_map", "big"));
            Assert.Equal(1, cache.GetStats().RemoteMisses);
        }

        Assert.InRange(allocatedDuringDownload, 0, 1 << 20); // sparse: not the 1 GiB claimed
        Assert.Empty(Directory.GetFiles(NodeA.CachePath, ".tmp-*", SearchOption.AllDirectories));
        tier.Dispose();
    }

    [Fact]
    public void ALeaseWhoseRenewalsTimeOut_WhileTheClusterIsPaused_DoesNotEndTheProcess()
    {
        // StackExchange.Redis reports a call with no reply in time as a TimeoutException, not a
        // RedisException; thrown on the renewal's timer thread it used to end the process (a CI
        // run's child exited 134 with a RedisTimeoutException from RenewedLease.Renew).
        using var holder = ChildProcess.Start("hold-lease", Cluster.Configuration, Prefix, "renewed");
        holder.WaitForLine("leased", TimeSpan.FromSeconds(60));
        Cluster.Pause();
        try
        {
            holder.Send("paused");
            Assert.StartsWith("missed ", holder.WaitForLine("missed", TimeSpan.FromSeconds(90)), StringComparison.Ordinal);
        }
        finally
        {
            Cluster.Resume();
        }

        holder.Send("resumed");
        holder.WaitForLine("released", TimeSpan.FromSeconds(60));
        Assert.Equal(0, holder.WaitForExit(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void AFillerKilledOnTheWaitersOwnNode_IsTakenOverAtOnce_NotAfterItsLeaseTime()
    {
        const string TenMinutes = "600000";
        var children = new List<ChildProcess>
        {
            ChildProcess.Start("get-or-create", NodeA.CachePath, "fit", Cluster.Configuration, Prefix, TenMinutes),
            ChildProcess.Start("get-or-create", NodeA.CachePath, "fit", Cluster.Configuration, Prefix, TenMinutes),
        };
        try
        {
            ChildProcess filler = GetOrCreateTests.StartedThenFiller(children);
            filler.KillHard(); // inside its fill: holding the node's key lock and the cluster's lease
            ChildProcess waiter = children.Single(c => c != filler);
            waiter.WaitForLine("filling", TimeSpan.FromSeconds(60)); // well inside the ten-minute lease
            waiter.Send("go");
            Assert.Contains("filled=True whole=True stamp=42", waiter.WaitForLine("result"), StringComparison.Ordinal);
        }
        finally
        {
            children.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void AFillAskingForItsOwnKey_IsAClearError_NotAHang()
    {
        using var tier = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = Cluster.Configuration, KeyPrefix = Prefix });
        using var cache = new IntermediateCache(NodeA.Config(RetentionPolicy.Persistent) with { Remote = tier });
        Exception? error = null;
        var caller = new Thread(() => error = Record.Exception(() => cache.GetOrCreate<float>("t1_map", "self", [4], writer =>
            cache.GetOrCreate<float>("t1_map", "self", [4], inner => inner.Span.Fill(1f)).Dispose())));
        caller.Start();
        Assert.True(caller.Join(TimeSpan.FromSeconds(30)), "the nested GetOrCreate hung");
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("inside its own fill", error!.Message, StringComparison.Ordinal);
        Assert.False(cache.Has("t1_map", "self")); // the outer fill failed and was abandoned
    }

    [Fact]
    public void AnOutage_IsOneWarning_AndLocalWorkThenSkipsTheTier()
    {
        var log = new RecordingLogger();
        using var tier = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = Cluster.Configuration, KeyPrefix = Prefix, OperationTimeout = TimeSpan.FromMilliseconds(500) });
        Cluster.Pause();
        try
        {
            using var remote = new IntermediateCache(NodeA.Config(RetentionPolicy.Persistent) with { Remote = tier }, TimeProvider.System, log);
            for (int i = 0; i < 10; i++)
            {
                remote.Put<float>("t1_map", $"k{i}", [i], [1]);
                Assert.Null(remote.Get<float>("t1_map", $"absent{i}"));
            }

            Assert.Equal(1, remote.GetStats().RemoteErrors); // the open's check; then everything skipped the tier
            Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("unreachable", StringComparison.Ordinal));
            Assert.Equal(10, Directory.GetFiles(Path.Combine(NodeA.CachePath, "remote", "pending")).Length);
        }
        finally
        {
            Cluster.Resume();
        }
    }

    private static long AllocatedBytes(string path)
    {
        (int exit, string output) = Command.Run("stat", "-c", "%b %B", path);
        string[] parts = output.Trim().Split(' ');
        return exit == 0 && parts.Length == 2 ? long.Parse(parts[0]) * long.Parse(parts[1]) : 0;
    }

    /// <summary>The Redis tier, with a hook run when a download begins (the temporary file exists, nothing has arrived).</summary>
    private sealed class ObservingTier(RedisRemoteTier inner, Action onDownload) : IRemoteTier, IDisposable
    {
        public bool Upload(string resultType, string key, RemoteSegmentSource segment) => inner.Upload(resultType, key, segment);

        public RemoteEntry? Find(string resultType, string key) => inner.Find(resultType, key);

        public IReadOnlyList<RemoteKeyState> Check(IReadOnlyList<RemoteKey> keys) => inner.Check(keys);

        public bool Download(RemoteEntry entry, RemoteSegmentTarget target)
        {
            onDownload();
            return inner.Download(entry, target);
        }

        public void Discard(RemoteEntry entry) => inner.Discard(entry);

        public void Remove(string resultType, string key) => inner.Remove(resultType, key);

        public void Clear(string? resultType) => inner.Clear(resultType);

        public IReadOnlyList<RemoteKey> RemoveTagged(string tag) => inner.RemoveTagged(tag);

        public IDisposable? TryLease(string resultType, string key, string node) => inner.TryLease(resultType, key, node);

        public RemoteChangeLog ReadChanges(string? after) => inner.ReadChanges(after);

        public IDisposable Subscribe(Action<RemoteChange> onChange) => inner.Subscribe(onChange);

        public void Dispose() => inner.Dispose();
    }
}
