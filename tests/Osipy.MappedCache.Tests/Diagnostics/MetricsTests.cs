using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Osipy.MappedCache.Redis;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Diagnostics;

/// <summary>
/// The Meter "Osipy.MappedCache", read as a monitoring tool reads it (a MeterListener): every
/// operation shows in its instrument, tagged by result type; nothing is allocated on a hit for it.
/// The meter is process-wide and other tests run at the same time, so each test listens only to
/// measurements made on its own thread (every cache call records on the caller's thread).
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();
    private readonly string _type = "metrics-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<Measurement> _seen = new();
    private readonly MeterListener _listener = new();
    private int _thread = -1;

    public MetricsTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IntermediateCache.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void PutsGetsAndCreates_AreCountedWithTheirBytesAndDurations_ByResultType()
    {
        WatchThisThread();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        float[] data = TestData.Ramp(250_000); // 1 MB
        cache.Put<float>(_type, "put", data, [data.Length]);
        using (MappedArray<float> first = cache.Get<float>(_type, "put")!)
        using (MappedArray<float> second = cache.Get<float>(_type, "put")!)
        {
            Assert.Equal(data[^1], second.ReadOnlySpan[^1]);
        }

        Assert.Null(cache.Get<float>(_type, "absent"));
        using (MappedArrayWriter<float> writer = cache.Create<float>(_type, "created", [1000]))
        {
            writer.Span.Fill(2f);
            writer.Commit().Dispose();
        }

        long segmentBytes = new FileInfo(SegmentPaths.Single(cache, _type, "put")).Length;
        Assert.Equal(2, Sum("osipy.cache.hits"));
        Assert.Equal(1, Sum("osipy.cache.misses"));
        Assert.Equal(1, Sum("osipy.cache.puts"));
        Assert.Equal(1, Sum("osipy.cache.creates"));
        Assert.Equal(segmentBytes + new FileInfo(SegmentPaths.Single(cache, _type, "created")).Length, Sum("osipy.cache.bytes_written"));
        Assert.Equal(segmentBytes, Sum("osipy.cache.bytes_mapped")); // one first get; the second was a hit
        Assert.Equal(2, Count("osipy.cache.put.duration"));
        Assert.Equal(1, Count("osipy.cache.first_get.duration"));
        Assert.All(Of("osipy.cache.put.duration"), m => Assert.True(m.Value > 0));
        Assert.Contains(Untagged("osipy.cache.mapped_bytes"), m => m.Value == segmentBytes); // mapped by the first get
    }

    [Fact]
    public void OpeningASession_RecordsNothing_ItsSharedTablesAreNotSegments()
    {
        // mapped_bytes counts segment files only; an open that recorded a measurement would also
        // wait for the process's meter, which is made in the background (docs/DESIGN.md, "Metrics").
        WatchThisThread();
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        Assert.Empty(_seen);

        cache.Put<float>(_type, "a", TestData.Ramp(1000), [1000]);
        using var reader = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        using MappedArray<float> array = reader.Get<float>(_type, "a")!;
        long segmentBytes = new FileInfo(SegmentPaths.Single(cache, _type, "a")).Length;
        Assert.Equal(segmentBytes, Untagged("osipy.cache.mapped_bytes").Sum(m => m.Value));
    }

    [Fact]
    public void EvictionsExpirationsAndCorruptSegments_AreCounted()
    {
        WatchThisThread();
        var clock = new ManualClock();
        using (var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Cached, maxMemoryMb: 1, maxAgeSeconds: 60), clock))
        {
            cache.Put<float>(_type, "a", TestData.Ramp(200_000), [200_000]); // 800 kB each: the second evicts the first
            cache.Put<float>(_type, "b", TestData.Ramp(200_000), [200_000]);
            clock.Advance(TimeSpan.FromSeconds(61));
            Assert.Null(cache.Get<float>(_type, "b"));
        }

        Assert.Equal(1, Sum("osipy.cache.evictions"));
        Assert.Equal(1, Sum("osipy.cache.expirations"));

        using var persistent = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        persistent.Put<float>(_type, "damaged", TestData.Ramp(1000), [1000]);
        string path = SegmentPaths.Single(persistent, _type, "damaged");
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Position = file.Length - 30; // inside the record's checksum
            file.WriteByte(0x5A);
        }

        using var other = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        Assert.Null(other.Get<float>(_type, "damaged"));
        Assert.Equal(1, Untagged("osipy.cache.corrupt_segments").Sum(m => m.Value));
        Assert.Equal(1, Untagged("osipy.cache.quarantined_segments").Sum(m => m.Value));
    }

    [Fact]
    public void RemoteCallsAndErrors_AreCounted()
    {
        WatchThisThread();
        using var unreachable = new RedisRemoteTier(new RedisRemoteTierOptions { Configuration = "127.0.0.1:1", OperationTimeout = TimeSpan.FromMilliseconds(300) });
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent) with { Remote = unreachable });
        cache.Put<float>(_type, "k", [1f, 2f], [2]);
        Assert.Null(cache.Get<float>(_type, "absent"));

        Assert.Equal(1, _seen.Where(m => m.Name == "osipy.cache.remote.errors").Sum(m => m.Value)); // the open's look at the change log (type "*")
        Assert.Equal(0, Sum("osipy.cache.remote.calls")); // then the upload and the look-up skip the tier while it backs off
    }

    [Fact]
    public void ReclaimedSessions_AreCounted()
    {
        WatchThisThread();
        using (var child = ChildProcess.Start("hold-cached", _dir.CachePath, "2", "1000"))
        {
            child.WaitForLine("ready");
            child.KillHard();
        }

        using var next = new IntermediateCache(_dir.Config());
        Assert.Equal(1, next.LastReclaim.Sessions);
        Assert.Equal(1, Untagged("osipy.cache.reclaimed_sessions").Sum(m => m.Value));
    }

    [Fact]
    public void AHit_AllocatesNothingMoreWhileTheMeterIsWatched()
    {
        WatchThisThread();
        _listener.Dispose(); // this one records into a queue: it allocates itself
        using var cache = new IntermediateCache(_dir.Config(RetentionPolicy.Persistent));
        cache.Put<float>(_type, "k", [1f], [1]);
        cache.Get<float>(_type, "k")!.Dispose();
        long unwatched = AllocatedPerHit(cache);

        long hitsSeen = 0;
        using var counting = new MeterListener();
        counting.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IntermediateCache.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        counting.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "osipy.cache.hits")
            {
                Interlocked.Add(ref hitsSeen, value); // allocates nothing
            }
        });
        counting.Start();
        long watched = AllocatedPerHit(cache);

        Assert.True(Interlocked.Read(ref hitsSeen) >= 2_100, "the listener saw no hits");
        Assert.Equal(unwatched, watched);
    }

    /// <summary>From here on, measurements made on this test's thread are the ones it reads.</summary>
    private void WatchThisThread() => Volatile.Write(ref _thread, Environment.CurrentManagedThreadId);

    private long AllocatedPerHit(IntermediateCache cache)
    {
        const int Hits = 2_000;
        for (int i = 0; i < 100; i++)
        {
            cache.Get<float>(_type, "k")!.Dispose(); // warm: every path compiled
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Hits; i++)
        {
            cache.Get<float>(_type, "k")!.Dispose();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Hits;
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        if (Environment.CurrentManagedThreadId != Volatile.Read(ref _thread))
        {
            return; // another test's measurement
        }

        string? resultType = null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "osipy.result_type")
            {
                resultType = tag.Value as string;
            }
        }

        _seen.Enqueue(new Measurement(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), resultType));
    }

    private IEnumerable<Measurement> Of(string name) => _seen.Where(m => m.Name == name && m.ResultType == _type);

    private IEnumerable<Measurement> Untagged(string name) => _seen.Where(m => m.Name == name && m.ResultType is null);

    private long Sum(string name) => (long)Of(name).Sum(m => m.Value);

    private int Count(string name) => Of(name).Count();

    private sealed record Measurement(string Name, double Value, string? ResultType);
}
