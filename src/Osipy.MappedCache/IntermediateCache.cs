using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Files;

namespace Osipy.MappedCache;

/// <summary>
/// A cache of intermediate arrays (osipy's <c>IntermediateCache</c>) stored as memory-mapped
/// segment files and handed back as zero-copy views. One instance is one session.
/// </summary>
/// <remarks>
/// <para>Policies: TRANSIENT results are not stored; CACHED and PERSISTENT results are written to
/// one segment file each, and differ only in that <see cref="Dispose"/> unlinks this session's
/// CACHED segments. Segment files are valid <c>.npy</c> files (see docs/FORMAT.md).</para>
/// <para>Coherence: a get in any session sees what is published on disk at the time of the get,
/// whichever session or process published it; a lease keeps the snapshot it mapped.</para>
/// <para>Thread safety: every member may be called from many threads at once.</para>
/// <para>Lifetime: leases (<see cref="MappedArray{T}"/>, <see cref="MappedBundle"/>) outlive
/// invalidation, replacement, eviction and the cache's own disposal; the mapping goes when the
/// last lease goes. After <see cref="Dispose"/>, members throw <see cref="ObjectDisposedException"/>.</para>
/// <para>Platform: Linux.</para>
/// </remarks>
public sealed partial class IntermediateCache : IDisposable
{
    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every cache of the process reports
    /// to: hits, misses, puts, creates, evictions, expirations, corrupt and quarantined segments, bytes
    /// written and mapped, reclaimed sessions, remote-tier calls, errors and bytes, the bytes mapped
    /// now, and put and first-get durations, tagged by result type (<c>osipy.result_type</c>).
    /// Watch it with <c>dotnet-counters monitor --counters Osipy.MappedCache</c>, or subscribe with
    /// OpenTelemetry's <c>AddMeter(IntermediateCache.MeterName)</c>.
    /// </summary>
    public const string MeterName = "Osipy.MappedCache";

    private readonly CacheSession _session;

    /// <summary>Opens a session on the cache directory of <paramref name="config"/> (defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (negative budget or age, unknown policy).</exception>
    /// <exception cref="IOException">The cache directory is a symlink, not a directory, writable by group or others, or cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache directory belongs to another user.</exception>
    /// <exception cref="PlatformNotSupportedException">Not running on Linux.</exception>
    public IntermediateCache(CacheConfig? config = null)
        : this(config, timeProvider: null, logger: null)
    {
    }

    /// <summary>Opens a session with an injected clock (for TTL) and a logger for corrupt files.</summary>
    /// <inheritdoc cref="IntermediateCache(CacheConfig?)" path="/exception"/>
    public IntermediateCache(CacheConfig? config, TimeProvider? timeProvider, ILogger? logger = null)
        : this(config, timeProvider, logger, beforeMap: null)
    {
    }

    /// <summary>
    /// Opens a session with test seams: <paramref name="beforeMap"/> runs inside a miss's slow path
    /// (tests of the lock's scope), <paramref name="rawCopyDecompressed"/> when a raw copy's payload
    /// is written but not yet published (tests of kills mid-decompression).
    /// </summary>
    internal IntermediateCache(CacheConfig? config, TimeProvider? timeProvider, ILogger? logger, Action<string, string>? beforeMap, Action<string>? rawCopyDecompressed = null)
    {
        config ??= new CacheConfig();
        config.Validate();
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Osipy.MappedCache maps segment files with Linux system calls; other platforms are not supported.");
        }

        Config = config;
        CacheMetrics.CreateInBackground(); // while this session opens; see CacheMetrics
        CacheDir = CacheDirectory.Prepare(config.ResolveCacheDir());
        CachedDir = config.CachedDir is null ? CacheDir : CacheDirectory.Prepare(config.CachedDir);
        var settings = new CacheSettings(config, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance) { BeforeMap = beforeMap, RawCopyDecompressed = rawCopyDecompressed };
        _session = new CacheSession(settings, CacheDir, CachedDir);
        LastReclaim = _session.ReclaimDeadSessions();
        _session.TrimRawCopies();
    }

    /// <summary>The configuration this session was opened with.</summary>
    public CacheConfig Config { get; }

    /// <summary>The absolute path of the cache directory.</summary>
    public string CacheDir { get; }

    /// <summary>The absolute path where CACHED segments go: <see cref="CacheConfig.CachedDir"/>, else <see cref="CacheDir"/>.</summary>
    public string CachedDir { get; }

    /// <summary>What this session's construction reclaimed from dead sessions, or the last <see cref="ReclaimDeadSessions"/>.</summary>
    public ReclaimReport LastReclaim { get; private set; }

    /// <summary>The policy for <paramref name="resultType"/>: its entry in Policies, else DefaultPolicy.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="resultType"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public RetentionPolicy GetPolicy(string resultType)
    {
        ArgumentNullException.ThrowIfNull(resultType);
        _session.ThrowIfDisposed(); // as every other member: a disposed cache answers nothing
        return Config.Policies.TryGetValue(resultType, out RetentionPolicy policy) ? policy : Config.DefaultPolicy;
    }

    /// <summary>
    /// Removes what dead sessions left in the cache directory: their CACHED segments, unfinished
    /// temporary files and session files. Runs when a session opens; call it to collect again.
    /// Live sessions, in this process or others, are never touched.
    /// </summary>
    /// <remarks>Costs in proportion to what the dead sessions wrote, not to the size of the cache.
    /// A failure is logged and reported as nothing reclaimed: reclaiming is housekeeping.</remarks>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public ReclaimReport ReclaimDeadSessions() => LastReclaim = _session.ReclaimDeadSessions();

    /// <summary>Test seam: runs a remote coherence check now (sends the journal, applies the change log), even while backing off.</summary>
    internal void SyncRemote() => _session.SyncRemote();

    /// <summary>Test seam: waits until this session has received <paramref name="count"/> change notices from the remote tier.</summary>
    internal int WaitForRemoteNotices(int count, TimeSpan timeout) => _session.WaitForRemoteNotices(count, timeout);

    /// <summary>
    /// Every segment file of the cache directory (of <paramref name="resultType"/> only, if given),
    /// PERSISTENT and CACHED, this session's and every other's, sorted by type and key: what
    /// <c>osipy-cache ls</c> shows. Each file's record is validated but nothing is mapped; files
    /// that fail validation are left out (<see cref="VerifyAll"/> reports them).
    /// </summary>
    /// <remarks>Reads the directory, so its cost grows with the number of files; safe to call while other sessions work.</remarks>
    /// <exception cref="ArgumentException">A result type that is not valid UTF-16.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public IReadOnlyList<StoredSegment> ListSegments(string? resultType = null)
    {
        if (resultType is not null)
        {
            Arguments.CheckKey(resultType, "*");
        }

        return _session.ListSegments(resultType);
    }

    /// <summary>A snapshot of this session's counters and of the directory's contents (segments and quarantine).</summary>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public CacheStats GetStats() => _session.GetStats(CacheDir);

    /// <summary>
    /// Removes files, in the order a put would (<see cref="CacheConfig.MaxDiskMb"/>), until the
    /// directory is within its disk budget; what <c>osipy-cache gc --max-disk</c> runs. Without a
    /// budget it removes nothing.
    /// </summary>
    /// <returns>The bytes the directory's files take afterwards (allocated blocks).</returns>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <exception cref="IOException">A file could not be listed or removed.</exception>
    public long TrimToDiskBudget() => _session.TrimDisk();

    /// <summary>
    /// Ends the session: unlinks its CACHED segments (those no other session has replaced since)
    /// and drops its references to mappings. PERSISTENT segments stay. Live leases stay valid.
    /// </summary>
    /// <remarks>Never throws; a file that cannot be removed is logged and reclaimed by a later session.</remarks>
    public void Dispose() => _session.Dispose();

    private bool IsDisposed => _session.IsDisposed;
}
