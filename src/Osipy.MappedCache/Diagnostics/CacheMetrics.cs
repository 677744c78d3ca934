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

    private static readonly Meter s_meter = new(IntermediateCache.MeterName, typeof(CacheMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> s_hits = s_meter.CreateCounter<long>("osipy.cache.hits", "{get}", "Gets answered by a mapped segment.");
    private static readonly Counter<long> s_misses = s_meter.CreateCounter<long>("osipy.cache.misses", "{get}", "Gets that found nothing, here, on disk or remotely.");
    private static readonly Counter<long> s_puts = s_meter.CreateCounter<long>("osipy.cache.puts", "{put}", "Arrays and bundles put and published (a TRANSIENT put writes nothing and is not counted).");
    private static readonly Counter<long> s_creates = s_meter.CreateCounter<long>("osipy.cache.creates", "{create}", "Zero-copy writers committed (Create, GetOrCreate).");
    private static readonly Counter<long> s_evictions = s_meter.CreateCounter<long>("osipy.cache.evictions", "{entry}", "Entries evicted to stay within the memory budget.");
    private static readonly Counter<long> s_diskEvictions = s_meter.CreateCounter<long>("osipy.cache.disk_evictions", "{entry}", "Entry files removed to keep a cache directory within its disk budget (MaxDiskMb).");
    private static readonly Counter<long> s_expirations = s_meter.CreateCounter<long>("osipy.cache.expirations", "{entry}", "Entries found older than MaxAgeSeconds.");
    private static readonly Counter<long> s_corrupt = s_meter.CreateCounter<long>("osipy.cache.corrupt_segments", "{segment}", "Segment files that failed validation (untagged: a damaged record's result type is not to be trusted).");
    private static readonly Counter<long> s_quarantined = s_meter.CreateCounter<long>("osipy.cache.quarantined_segments", "{segment}", "Segment files moved to the quarantine.");
    private static readonly Counter<long> s_bytesWritten = s_meter.CreateCounter<long>("osipy.cache.bytes_written", "By", "Bytes of segment files published by puts and commits.");
    private static readonly Counter<long> s_bytesMapped = s_meter.CreateCounter<long>("osipy.cache.bytes_mapped", "By", "Bytes of segments mapped by first gets.");
    private static readonly UpDownCounter<long> s_mappedBytes = s_meter.CreateUpDownCounter<long>("osipy.cache.mapped_bytes", "By", "Bytes of segment files mapped in this process now.");
    private static readonly Counter<long> s_reclaimedSessions = s_meter.CreateCounter<long>("osipy.cache.reclaimed_sessions", "{session}", "Dead sessions whose files were reclaimed.");
    private static readonly Counter<long> s_remoteCalls = s_meter.CreateCounter<long>("osipy.cache.remote.calls", "{call}", "Uploads, look-ups and downloads asked of the remote tier.");
    private static readonly Counter<long> s_remoteErrors = s_meter.CreateCounter<long>("osipy.cache.remote.errors", "{call}", "Remote-tier calls that failed (local work went on).");
    private static readonly Counter<long> s_remoteBytes = s_meter.CreateCounter<long>("osipy.cache.remote.bytes", "By", "Bytes uploaded to and downloaded from the remote tier (tag osipy.direction).");
    private static readonly Histogram<double> s_putDuration = s_meter.CreateHistogram<double>("osipy.cache.put.duration", "s", "Time of a put or a commit, from the call to its return.");
    private static readonly Histogram<double> s_firstGetDuration = s_meter.CreateHistogram<double>("osipy.cache.first_get.duration", "s", "Time of a get that opened, validated and mapped a segment (a fetch included).");

    public static void Hit(string resultType) => Add(s_hits, 1, resultType);

    public static void Miss(string resultType) => Add(s_misses, 1, resultType);

    public static void Eviction(string resultType) => Add(s_evictions, 1, resultType);

    public static void DiskEviction() => s_diskEvictions.Add(1);

    public static void Expiration(string resultType) => Add(s_expirations, 1, resultType);

    public static void Corrupt() => s_corrupt.Add(1);

    public static void Quarantined() => s_quarantined.Add(1);

    public static void ReclaimedSessions(int count)
    {
        if (count > 0)
        {
            s_reclaimedSessions.Add(count);
        }
    }

    /// <summary>A put (or, with <paramref name="create"/>, a commit) published <paramref name="bytes"/>; <paramref name="startedAt"/> is its <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static void Written(string resultType, long bytes, long startedAt, bool create)
    {
        Add(create ? s_creates : s_puts, 1, resultType);
        Add(s_bytesWritten, bytes, resultType);
        if (s_putDuration.Enabled)
        {
            s_putDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>(ResultTypeTag, resultType));
        }
    }

    /// <summary>A first get mapped <paramref name="bytes"/>; <paramref name="startedAt"/> is its <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public static void FirstGet(string resultType, long bytes, long startedAt)
    {
        Add(s_bytesMapped, bytes, resultType);
        if (s_firstGetDuration.Enabled)
        {
            s_firstGetDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>(ResultTypeTag, resultType));
        }
    }

    /// <summary>A mapping of <paramref name="bytes"/> was made (positive) or released (negative).</summary>
    public static void MappedBytesChanged(long bytes) => s_mappedBytes.Add(bytes);

    public static void RemoteCall(string resultType) => Add(s_remoteCalls, 1, resultType);

    public static void RemoteError(string resultType) => Add(s_remoteErrors, 1, resultType);

    /// <summary><paramref name="bytes"/> went to (<paramref name="upload"/>) or came from the remote tier.</summary>
    public static void RemoteBytes(string resultType, long bytes, bool upload)
    {
        if (s_remoteBytes.Enabled)
        {
            s_remoteBytes.Add(bytes, new KeyValuePair<string, object?>(ResultTypeTag, resultType), new KeyValuePair<string, object?>("osipy.direction", upload ? "upload" : "download"));
        }
    }

    private static void Add(Counter<long> counter, long value, string resultType)
    {
        if (counter.Enabled)
        {
            counter.Add(value, new KeyValuePair<string, object?>(ResultTypeTag, resultType));
        }
    }
}
