using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Osipy.MappedCache.Diagnostics;

/// <summary>
/// The library's instruments, on one <see cref="Meter"/> named <see cref="IntermediateCache.MeterName"/>
/// (read them with <c>dotnet-counters monitor --counters Osipy.MappedCache</c>, a
/// <see cref="MeterListener"/> or OpenTelemetry's <c>AddMeter</c>). Every measurement of an entry
/// carries its result type as the tag <see cref="ResultTypeTag"/> (the corrupt and quarantine
/// counters and the process-wide mapped bytes do not).
/// </summary>
/// <remarks>
/// Process-wide, as the BCL's own meters are: every session of the process reports here. Nothing
/// allocates: a measurement with one tag passes it on the stack, and an instrument nobody listens
/// to returns at once. Callers never record under the cache's lock (a listener's callback runs on
/// the recording thread).
/// </remarks>
internal static class CacheMetrics
{
    /// <summary>The tag every per-entry measurement carries.</summary>
    public const string ResultTypeTag = "osipy.result_type";

    private static readonly Lock s_createGate = new();
    private static Instruments? s_instruments;

    /// <summary>
    /// Starts creating the meter on a pool thread, unless it exists: the first <see cref="Meter"/>
    /// of a process creates the runtime's metrics EventSource (about 10 ms), which a session's open
    /// and first get need not wait for. A measurement made before it is ready waits for it, so
    /// none is lost to a listener that was there before.
    /// </summary>
    public static void CreateInBackground()
    {
        if (Volatile.Read(ref s_instruments) is null)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static _ => _ = Create(), null);
        }
    }

    public static void Hit(string resultType) => Add(I.Hits, 1, resultType);

    public static void Miss(string resultType) => Add(I.Misses, 1, resultType);

    public static void Eviction(string resultType) => Add(I.Evictions, 1, resultType);

    public static void DiskEviction() => I.DiskEvictions.Add(1);

    public static void Expiration(string resultType) => Add(I.Expirations, 1, resultType);

    public static void Corrupt() => I.Corrupt.Add(1);

    public static void Quarantined() => I.Quarantined.Add(1);

    public static void ReclaimedSessions(int count)
    {
        if (count > 0)
        {
            I.ReclaimedSessions.Add(count);
        }
    }

    /// <summary>A put (or, with <paramref name="create"/>, a commit) published <paramref name="bytes"/>; <paramref name="startedAt"/> is its <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static void Written(string resultType, long bytes, long startedAt, bool create)
    {
        Add(create ? I.Creates : I.Puts, 1, resultType);
        Add(I.BytesWritten, bytes, resultType);
        if (I.PutDuration.Enabled)
        {
            I.PutDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>(ResultTypeTag, resultType));
        }
    }

    /// <summary>A first get mapped <paramref name="bytes"/>; <paramref name="startedAt"/> is its <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static void FirstGet(string resultType, long bytes, long startedAt)
    {
        Add(I.BytesMapped, bytes, resultType);
        if (I.FirstGetDuration.Enabled)
        {
            I.FirstGetDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>(ResultTypeTag, resultType));
        }
    }

    /// <summary>A mapping of <paramref name="bytes"/> was made (positive) or released (negative).</summary>
    public static void MappedBytesChanged(long bytes) => I.MappedBytes.Add(bytes);

    public static void RemoteCall(string resultType) => Add(I.RemoteCalls, 1, resultType);

    public static void RemoteError(string resultType) => Add(I.RemoteErrors, 1, resultType);

    /// <summary><paramref name="bytes"/> went to (<paramref name="upload"/>) or came from the remote tier.</summary>
    public static void RemoteBytes(string resultType, long bytes, bool upload)
    {
        if (I.RemoteBytes.Enabled)
        {
            I.RemoteBytes.Add(bytes, new KeyValuePair<string, object?>(ResultTypeTag, resultType), new KeyValuePair<string, object?>("osipy.direction", upload ? "upload" : "download"));
        }
    }

    private static void Add(Counter<long> counter, long value, string resultType)
    {
        if (counter.Enabled)
        {
            counter.Add(value, new KeyValuePair<string, object?>(ResultTypeTag, resultType));
        }
    }

    private static Instruments I => Volatile.Read(ref s_instruments) ?? Create();

    private static Instruments Create()
    {
        lock (s_createGate)
        {
            return s_instruments ??= new Instruments();
        }
    }

    /// <summary>The meter and its instruments, made once per process.</summary>
    private sealed class Instruments
    {
        public readonly Counter<long> Hits;
        public readonly Counter<long> Misses;
        public readonly Counter<long> Puts;
        public readonly Counter<long> Creates;
        public readonly Counter<long> Evictions;
        public readonly Counter<long> DiskEvictions;
        public readonly Counter<long> Expirations;
        public readonly Counter<long> Corrupt;
        public readonly Counter<long> Quarantined;
        public readonly Counter<long> BytesWritten;
        public readonly Counter<long> BytesMapped;
        public readonly UpDownCounter<long> MappedBytes;
        public readonly Counter<long> ReclaimedSessions;
        public readonly Counter<long> RemoteCalls;
        public readonly Counter<long> RemoteErrors;
        public readonly Counter<long> RemoteBytes;
        public readonly Histogram<double> PutDuration;
        public readonly Histogram<double> FirstGetDuration;

        public Instruments()
        {
            var meter = new Meter(IntermediateCache.MeterName, typeof(CacheMetrics).Assembly.GetName().Version?.ToString());
            Hits = meter.CreateCounter<long>("osipy.cache.hits", "{get}", "Gets answered by a mapped segment.");
            Misses = meter.CreateCounter<long>("osipy.cache.misses", "{get}", "Gets that found nothing, here, on disk or remotely.");
            Puts = meter.CreateCounter<long>("osipy.cache.puts", "{put}", "Arrays and bundles put and published (a TRANSIENT put writes nothing and is not counted).");
            Creates = meter.CreateCounter<long>("osipy.cache.creates", "{create}", "Zero-copy writers committed (Create, GetOrCreate).");
            Evictions = meter.CreateCounter<long>("osipy.cache.evictions", "{entry}", "Entries evicted to stay within the memory budget.");
            DiskEvictions = meter.CreateCounter<long>("osipy.cache.disk_evictions", "{entry}", "Entry files removed to keep a cache directory within its disk budget (MaxDiskMb).");
            Expirations = meter.CreateCounter<long>("osipy.cache.expirations", "{entry}", "Entries found older than MaxAgeSeconds.");
            Corrupt = meter.CreateCounter<long>("osipy.cache.corrupt_segments", "{segment}", "Segment files that failed validation (untagged: a damaged record's result type is not to be trusted).");
            Quarantined = meter.CreateCounter<long>("osipy.cache.quarantined_segments", "{segment}", "Segment files moved to the quarantine.");
            BytesWritten = meter.CreateCounter<long>("osipy.cache.bytes_written", "By", "Bytes of segment files published by puts and commits.");
            BytesMapped = meter.CreateCounter<long>("osipy.cache.bytes_mapped", "By", "Bytes of segments mapped by first gets.");
            MappedBytes = meter.CreateUpDownCounter<long>("osipy.cache.mapped_bytes", "By", "Bytes of segment files mapped in this process now.");
            ReclaimedSessions = meter.CreateCounter<long>("osipy.cache.reclaimed_sessions", "{session}", "Dead sessions whose files were reclaimed.");
            RemoteCalls = meter.CreateCounter<long>("osipy.cache.remote.calls", "{call}", "Uploads, look-ups and downloads asked of the remote tier.");
            RemoteErrors = meter.CreateCounter<long>("osipy.cache.remote.errors", "{call}", "Remote-tier calls that failed (local work went on).");
            RemoteBytes = meter.CreateCounter<long>("osipy.cache.remote.bytes", "By", "Bytes uploaded to and downloaded from the remote tier (tag osipy.direction).");
            PutDuration = meter.CreateHistogram<double>("osipy.cache.put.duration", "s", "Time of a put or a commit, from the call to its return.");
            FirstGetDuration = meter.CreateHistogram<double>("osipy.cache.first_get.duration", "s", "Time of a get that opened, validated and mapped a segment (a fetch included).");
        }
    }
}
