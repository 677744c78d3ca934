using Osipy.MappedCache.Files;
using Osipy.MappedCache.Tests.Infrastructure;
using Osipy.MappedCache.TestChild;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>
/// The disk budget (CacheConfig.MaxDiskMb), shared by every session and process on a directory:
/// a put makes room first, least recently used entries going, never the entry being written; an
/// entry larger than the budget is refused; a lease keeps reading an entry that went.
/// </summary>
public sealed class DiskBudgetTests : IDisposable
{
    private const int Elements = 255_000; // 1,020,000 bytes: with its first page and record, just under 1 MiB on disk

    private readonly TempCacheDirectory _dir = new();
    private readonly ManualClock _clock = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void PutsBeyondTheBudget_RemoveTheLeastRecentlyUsedEntries_AndTheDirectoryStaysWithinIt()
    {
        using IntermediateCache cache = Open(maxDiskMb: 4);
        for (int i = 0; i < 4; i++)
        {
            Put(cache, $"e{i}", i);
        }

        using (cache.Get<float>("p", "e0")) // e0 is now the most recently used; e1 the least
        {
        }

        for (int i = 4; i < 6; i++)
        {
            Put(cache, $"e{i}", i);
            Assert.InRange(Used(), 0, 4L * 1024 * 1024);
        }

        Assert.True(cache.Has("p", "e0"));
        Assert.False(cache.Has("p", "e1"));
        Assert.False(cache.Has("p", "e2"));
        Assert.True(cache.Has("p", "e5"));
        CacheStats stats = cache.GetStats();
        Assert.Equal(2, stats.DiskEvictions);
        Assert.Equal(4, stats.MaxDiskMb);
        Assert.InRange(stats.DiskUsedBytes, 1, 4L * 1024 * 1024);
    }

    [Fact]
    public void AGetInAnotherSession_KeepsItsEntry_AndAnotherSessionsCachedEntryCanGo()
    {
        using IntermediateCache writer = Open(maxDiskMb: 3);
        Put(writer, "a", 1);
        Put(writer, "b", 2, type: "c"); // CACHED, this session's
        Put(writer, "c", 3);
        using (IntermediateCache reader = Open(maxDiskMb: 3))
        using (reader.Get<float>("p", "a"))
        {
        }

        Put(writer, "d", 4);

        Assert.True(writer.Has("p", "a"));
        Assert.False(writer.Has("c", "b"));
        Assert.True(writer.Has("p", "d"));
    }

    [Fact]
    public void AnEntryTheProcessMaps_IsRemovedWhenItsTurnComes_AndTheLeaseKeepsReadingIt()
    {
        using IntermediateCache cache = Open(maxDiskMb: 2);
        float[] first = Put(cache, "a", 1);
        using MappedArray<float> lease = cache.Get<float>("p", "a")!;
        _clock.Advance(TimeSpan.FromSeconds(1));
        Put(cache, "b", 2);
        Put(cache, "c", 3);

        Assert.False(cache.Has("p", "a"));
        Assert.Equal(first, lease.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void AnEntryLargerThanTheWholeBudget_IsRefused_AndNothingIsRemovedOrLeftBehind()
    {
        using IntermediateCache cache = Open(maxDiskMb: 1);
        Put(cache, "small", 1);

        IOException error = Assert.Throws<IOException>(() => cache.Put<float>("p", "big", new float[400_000], [400_000]));

        Assert.Contains("disk budget", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxDiskMb = 1", error.Message, StringComparison.Ordinal);
        Assert.True(cache.Has("p", "small"));
        Assert.Single(_dir.SegmentFiles());
        Assert.Throws<ArgumentOutOfRangeException>(() => Open(maxDiskMb: -1));
    }

    [Fact]
    public void AGetInAnotherProcess_KeepsItsEntry()
    {
        using IntermediateCache cache = Open(maxDiskMb: 3, clock: TimeProvider.System);
        Put(cache, "a", 1);
        Put(cache, "b", 2);
        Put(cache, "c", 3);
        using (var child = ChildProcess.Start("sum", _dir.CachePath, "p", "a"))
        {
            Assert.StartsWith("sum=", child.WaitForLine("sum="), StringComparison.Ordinal);
            Assert.Equal(0, child.WaitForExit());
        }

        Put(cache, "d", 4);

        Assert.True(cache.Has("p", "a")); // used last, by the other process
        Assert.False(cache.Has("p", "b") && cache.Has("p", "c"));
        Assert.True(cache.Has("p", "d"));
    }

    [Fact]
    public void GcWithMaxDisk_TrimsTheDirectoryByTheSameRule()
    {
        using (IntermediateCache cache = Open(maxDiskMb: 0))
        {
            for (int i = 0; i < 5; i++)
            {
                Put(cache, $"e{i}", i);
            }
        }

        (int exit, string output, string error) = OsipyCacheTool.Run("gc", "--max-disk", "2M", "--cache-dir", _dir.CachePath);

        Assert.True(exit == 0, output + error);
        Assert.Contains("disk budget 2 MiB", output, StringComparison.Ordinal);
        Assert.InRange(Used(), 1, 2L * 1024 * 1024);
        Assert.Equal(2, _dir.SegmentFiles().Length);
        (exit, _, error) = OsipyCacheTool.Run("gc", "--max-disk", "lots", "--cache-dir", _dir.CachePath);
        Assert.NotEqual(0, exit);
        Assert.Contains("is not a size", error, StringComparison.Ordinal);
    }

    private IntermediateCache Open(long maxDiskMb, TimeProvider? clock = null) =>
        new(_dir.Config(RetentionPolicy.Persistent, maxAgeSeconds: 0) with
        {
            MaxDiskMb = maxDiskMb,
            Policies = new Dictionary<string, RetentionPolicy> { ["c"] = RetentionPolicy.Cached },
        }, clock ?? _clock, logger: null);

    /// <summary>Puts a 1 MB array a second after the last use, so every use has its own time.</summary>
    private float[] Put(IntermediateCache cache, string key, float stamp, string type = "p")
    {
        _clock.Advance(TimeSpan.FromSeconds(1));
        var data = new float[Elements];
        Patterns.Fill(data, stamp);
        cache.Put<float>(type, key, data, [Elements]);
        _clock.Advance(TimeSpan.FromSeconds(1));
        return data;
    }

    private long Used() => DiskUsage.List([new SegmentStore(_dir.CachePath)]).Sum(file => file.Bytes);
}
