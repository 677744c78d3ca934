using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Osipy.MappedCache.Caching;
using Osipy.MappedCache.Segments;
using Osipy.MappedCache.Sessions;

namespace Osipy.MappedCache;

/// <summary>
/// A cache of intermediate arrays (osipy's <c>IntermediateCache</c>) stored as memory-mapped
/// segment files and handed back as zero-copy views. One instance is one session.
/// </summary>
/// <remarks>
/// <para>Policies: TRANSIENT results are not stored; CACHED and PERSISTENT results are written to
/// one segment file each, and differ only in that <see cref="Dispose"/> unlinks this session's
/// CACHED segments. Segment files are valid <c>.npy</c> files (see docs/FORMAT.md).</para>
/// <para>Thread safety: every member may be called from many threads at once.</para>
/// <para>Lifetime: leases (<see cref="MappedArray{T}"/>, <see cref="MappedBundle"/>) outlive
/// invalidation, replacement, eviction and the cache's own disposal; the mapping goes when the
/// last lease goes. After <see cref="Dispose"/>, members throw <see cref="ObjectDisposedException"/>.</para>
/// <para>Platform: Linux.</para>
/// </remarks>
public sealed partial class IntermediateCache : IDisposable
{
    private const long BytesPerMb = 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly EntryTable _table = new();
    private readonly CacheCounters _counters = new();
    private readonly SegmentStore _store;
    private readonly SegmentStore _cachedStore;
    private readonly SessionFile _session;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _sessionId = SessionId.New();
    private readonly long _budgetBytes;
    private bool _disposed;

    /// <summary>Opens a session on the cache directory of <paramref name="config"/> (defaults when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (negative budget or age, unknown policy).</exception>
    /// <exception cref="IOException">The cache directory is a symlink, not a directory, or cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache directory belongs to another user.</exception>
    /// <exception cref="PlatformNotSupportedException">Not running on Linux.</exception>
    public IntermediateCache(CacheConfig? config = null)
        : this(config, timeProvider: null, logger: null)
    {
    }

    /// <summary>Opens a session with an injected clock (for TTL) and a logger for corrupt files.</summary>
    /// <inheritdoc cref="IntermediateCache(CacheConfig?)" path="/exception"/>
    public IntermediateCache(CacheConfig? config, TimeProvider? timeProvider, ILogger? logger = null)
    {
        config ??= new CacheConfig();
        Validate(config);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Osipy.MappedCache maps segment files with Linux system calls; other platforms are not supported.");
        }

        Config = config;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _budgetBytes = config.MaxMemoryMb >= long.MaxValue / BytesPerMb ? long.MaxValue : config.MaxMemoryMb * BytesPerMb;
        CacheDir = CacheDirectory.Prepare(config.CacheDir ?? CacheDirectory.DefaultPath());
        CachedDir = config.CachedDir is null ? CacheDir : CacheDirectory.Prepare(config.CachedDir);
        _store = new SegmentStore(CacheDir);
        _cachedStore = CachedDir == CacheDir ? _store : new SegmentStore(CachedDir) { Tag = 'C' };
        string sessions = Path.Combine(CacheDir, SessionFile.DirectoryName);
        CacheDirectory.EnsurePrivateDirectory(sessions);
        _session = SessionFile.Register(sessions, _sessionId);
        LastReclaim = ReclaimDeadSessions();
    }

    /// <summary>The configuration this session was opened with.</summary>
    public CacheConfig Config { get; }

    /// <summary>The absolute path of the cache directory.</summary>
    public string CacheDir { get; }

    /// <summary>The absolute path where CACHED segments go: <see cref="CacheConfig.CachedDir"/>, else <see cref="CacheDir"/>.</summary>
    public string CachedDir { get; }

    /// <summary>What this session's construction reclaimed from dead sessions.</summary>
    public ReclaimReport LastReclaim { get; private set; }

    /// <summary>The policy for <paramref name="resultType"/>: its entry in Policies, else DefaultPolicy.</summary>
    public RetentionPolicy GetPolicy(string resultType)
    {
        ArgumentNullException.ThrowIfNull(resultType);
        return Config.Policies.TryGetValue(resultType, out RetentionPolicy policy) ? policy : Config.DefaultPolicy;
    }

    /// <summary>
    /// Removes what dead sessions left in the cache directory: their CACHED segments, unfinished
    /// temporary files and session files. Runs when a session opens; call it to collect again.
    /// Live sessions, in this process or others, are never touched.
    /// </summary>
    /// <remarks>Costs in proportion to what the dead sessions wrote, not to the size of the cache.</remarks>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    public ReclaimReport ReclaimDeadSessions()
    {
        ThrowIfDisposed();
        try
        {
            ReclaimReport report = SessionReclaimer.ReclaimDead(Path.GetDirectoryName(_session.Path)!, _store, _cachedStore, _sessionId);
            LastReclaim = report;
            if (report.Sessions > 0)
            {
                Log.Reclaimed(_logger, report.Sessions, report.Segments, report.TempFiles, report.Bytes);
            }

            return report;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reclaiming is housekeeping: a failure must not stop the session from working.
            Log.ReclaimFailed(_logger, ex.Message);
            return ReclaimReport.None;
        }
    }

    /// <summary>A snapshot of this session's counters and of the directory's contents.</summary>
    public CacheStats GetStats()
    {
        int memoryEntries;
        long heldBytes, hits, misses, evictions, expirations, corrupt;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            memoryEntries = _table.Count;
            heldBytes = _table.HeldBytes;
            (hits, misses, evictions, expirations, corrupt) =
                (_counters.Hits, _counters.Misses, _counters.Evictions, _counters.Expirations, _counters.CorruptSegments);
        }

        int diskEntries = 0;
        long diskBytes = 0;
        foreach (FileInfo file in AllSegmentFiles(resultType: null))
        {
            try
            {
                diskBytes += file.Length;
                diskEntries++;
            }
            catch (FileNotFoundException)
            {
                // Removed by another thread or process while counting.
            }
        }

        return new CacheStats
        {
            MemoryEntries = memoryEntries,
            MemorySizeMb = (double)heldBytes / BytesPerMb,
            MaxMemoryMb = Config.MaxMemoryMb,
            CacheDir = CacheDir,
            DiskEntries = diskEntries,
            DiskSizeBytes = diskBytes,
            Hits = hits,
            Misses = misses,
            Evictions = evictions,
            Expirations = expirations,
            CorruptSegments = corrupt,
        };
    }

    /// <summary>
    /// Ends the session: unlinks its CACHED segments and drops its references to mappings.
    /// PERSISTENT segments stay. Live leases stay valid.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (EntryState state in _table.RemoveAll())
            {
                try
                {
                    Release(state, deleteOwnedFile: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Dispose must not throw. The file stays journaled, so the next session
                    // reclaims it once this session's lock is gone.
                    Log.CleanupFailed(_logger, state.Path, ex.Message);
                }
            }

            _session.Dispose();
        }
    }

    /// <summary>Whether a put of this type and policy is compressed at rest: PERSISTENT only, per type, else the global flag.</summary>
    private bool ShouldCompress(string resultType, RetentionPolicy policy) =>
        policy == RetentionPolicy.Persistent && (Config.CompressionByType.TryGetValue(resultType, out bool compress) ? compress : Config.Compression);

    /// <summary>The store a policy's segments live in.</summary>
    private SegmentStore StoreFor(RetentionPolicy policy) => policy == RetentionPolicy.Cached ? _cachedStore : _store;

    /// <summary>The cache directory's store and, when CACHED segments live elsewhere, that one too.</summary>
    private SegmentStore[] Stores => _cachedStore == _store ? [_store] : [_store, _cachedStore];

    private IEnumerable<FileInfo> AllSegmentFiles(string? resultType) => Stores.SelectMany(store => store.EnumerateSegments(resultType));

    private static void Validate(CacheConfig config)
    {
        ArgumentNullException.ThrowIfNull(config.Policies, nameof(config.Policies));
        if (!Enum.IsDefined(config.DefaultPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.DefaultPolicy, "DefaultPolicy is not a RetentionPolicy.");
        }

        foreach (var (type, policy) in config.Policies)
        {
            if (!Enum.IsDefined(policy))
            {
                throw new ArgumentOutOfRangeException(nameof(config), policy, $"Policies['{type}'] is not a RetentionPolicy.");
            }
        }

        if (config.MaxMemoryMb < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.MaxMemoryMb, "MaxMemoryMb must not be negative.");
        }

        if (config.MaxMappedSegments < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.MaxMappedSegments, "MaxMappedSegments must be at least 1.");
        }

        if (config.MaxAgeSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(config), config.MaxAgeSeconds, "MaxAgeSeconds must not be negative (0 means no limit).");
        }

        ArgumentNullException.ThrowIfNull(config.CompressionByType, nameof(config.CompressionByType));
    }
}
