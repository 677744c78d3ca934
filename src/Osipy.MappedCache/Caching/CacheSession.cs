using Microsoft.Extensions.Logging;
using Osipy.MappedCache.Diagnostics;
using Osipy.MappedCache.Mapping;
using Osipy.MappedCache.Files;
using Osipy.MappedCache.Legacy;
using Osipy.MappedCache.Sessions;

namespace Osipy.MappedCache.Caching;

/// <summary>
/// One session's cache logic behind the public facade: gets, puts, creates, removals,
/// verification, statistics and the session's lifetime. It composes the rooms below it:
/// <see cref="EntryCache"/> (the lock and every decision), <see cref="SegmentLoader"/> (slow
/// reads), <see cref="SegmentPublisher"/> (every change to a key's file) and <see cref="SessionFile"/>.
/// </summary>
/// <remarks>
/// Lock order, outermost first: a key's single flight (<see cref="KeyedGate{TKey}"/>), then a key's
/// cross-process stripe (<see cref="KeyLocks"/>), then the table's lock. The table's lock is never
/// held across I/O, and no other lock is taken while it is held. Thread-safe.
/// </remarks>
internal sealed partial class CacheSession : IDisposable
{
    private readonly CacheSettings _settings;
    private readonly StoreSet _stores;
    private readonly SegmentPublisher _publisher;
    private readonly KeyLocks _locks;
    private readonly SessionFile _session;
    private readonly EntryCache _entries;
    private readonly SegmentLoader _loader;
    private readonly RawCopies _rawCopies;
    private readonly LastUseTable _lastUse;
    private readonly DiskBudget _budget;
    private readonly CacheCounters _counters = new();
    private readonly KeyedGate<EntryKey> _flights = new();
    private readonly IDisposable? _subscription;
    private readonly RemoteNode? _remote;
    private readonly LegacyOsipyLookup? _legacy;

    public CacheSession(CacheSettings settings, string cacheDir, string cachedDir)
    {
        _settings = settings;
        _legacy = settings.Config.LegacyOsipyDir is { } legacyDir ? new LegacyOsipyLookup(legacyDir) : null;
        _stores = new StoreSet(cacheDir, cachedDir, settings.Config.MaxQuarantineFiles);
        _locks = new KeyLocks(cacheDir);

        // Its files are made before the session registers, so a failure here leaves no session behind.
        _remote = settings.Config.Remote is null ? null : new RemoteNode(cacheDir, new RemoteHealth(settings.Time, settings.Logger), CheckRemoteChanges);
        _publisher = new SegmentPublisher(_locks, GenerationTable.ForDirectory(cacheDir, KeyLocation.BucketCount), _stores.Cached.Root);
        string sessions = Path.Combine(cacheDir, SessionFile.DirectoryName);
        CacheDirectory.EnsurePrivateDirectory(sessions);
        SessionsDirectory = sessions;
        _session = SessionFile.Register(sessions, Sessions.SessionId.New, out string sessionId);
        SessionId = sessionId;
        _lastUse = LastUseTable.ForDirectory(cacheDir);
        _entries = new EntryCache(settings, _publisher, _lastUse, _counters, (state, ex) => Log.CleanupFailed(settings.Logger, state.Path, ex.Message));
        _budget = new DiskBudget(settings, _stores, _publisher, _lastUse, _counters, Path.Combine(cacheDir, KeyLocks.DirectoryName, "budget.lock"));
        _rawCopies = new RawCopies(settings, _stores.Cached, _locks, _publisher, _session, SessionId, _budget);
        _loader = new SegmentLoader(settings, _stores, _publisher, _rawCopies, _counters, _entries);
        if (_remote is not null)
        {
            // Before the first get: apply what other nodes changed since this node last looked.
            _subscription = SubscribeToRemoteChanges();
            _remote.RunCheck();
            _remote.Start();
        }
    }

    public string SessionId { get; }

    public string SessionsDirectory { get; }

    public bool IsDisposed => _entries.IsDisposed;

    /// <summary>Removes what dead sessions left behind; failures are logged, never thrown (housekeeping).</summary>
    public ReclaimReport ReclaimDeadSessions()
    {
        ThrowIfDisposed();
        try
        {
            ReclaimReport report = SessionReclaimer.ReclaimDead(SessionsDirectory, _stores.Persistent, _stores.Cached, _publisher, SessionId);
            (int unfinished, long unfinishedBytes) = ReclaimUnfinishedFills();
            if (unfinished > 0)
            {
                report = report with { UnfinishedFills = unfinished, Bytes = report.Bytes + unfinishedBytes };
            }

            CacheMetrics.ReclaimedSessions(report.Sessions);
            if (report.Sessions > 0)
            {
                Log.Reclaimed(_settings.Logger, report.Sessions, report.Segments, report.TempFiles, report.RawCopies, report.Bytes);
            }

            return report;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.ReclaimFailed(_settings.Logger, ex.Message);
            return ReclaimReport.None;
        }
    }

    /// <summary>A snapshot of the counters, of what the session holds, and of the directory's contents.</summary>
    public CacheStats GetStats(string cacheDir)
    {
        (int memoryEntries, long heldBytes) = _entries.Measure();
        // One listing for every disk figure: the entries (segments), their bytes, and the budget's count.
        List<DiskFile> onDisk = DiskUsage.List(_stores.All);
        int diskEntries = onDisk.Count(file => file.Kind == DiskFileKind.Segment);
        long diskBytes = onDisk.Where(file => file.Kind == DiskFileKind.Segment).Sum(file => (long)file.Identity.Size);

        int quarantineFiles = 0;
        long quarantineBytes = 0;
        foreach (SegmentStore store in _stores.All)
        {
            (int files, long bytes) = store.Quarantine.Measure();
            quarantineFiles += files;
            quarantineBytes += bytes;
        }

        return new CacheStats
        {
            MemoryEntries = memoryEntries,
            MemorySizeMb = (double)heldBytes / (1024 * 1024),
            MaxMemoryMb = _settings.Config.MaxMemoryMb,
            CacheDir = cacheDir,
            DiskEntries = diskEntries,
            DiskSizeBytes = diskBytes,
            Hits = _counters.Hits.Read(),
            Misses = Volatile.Read(ref _counters.Misses),
            Evictions = Volatile.Read(ref _counters.Evictions),
            MaxDiskMb = _settings.Config.MaxDiskMb,
            DiskUsedBytes = onDisk.Sum(file => file.Bytes),
            DiskEvictions = Volatile.Read(ref _counters.DiskEvictions),
            Expirations = Volatile.Read(ref _counters.Expirations),
            CorruptSegments = Volatile.Read(ref _counters.CorruptSegments),
            QuarantineFiles = quarantineFiles,
            QuarantineBytes = quarantineBytes,
            RemoteHits = Volatile.Read(ref _counters.RemoteHits),
            RemoteMisses = Volatile.Read(ref _counters.RemoteMisses),
            RemoteErrors = Volatile.Read(ref _counters.RemoteErrors),
            RemoteConflicts = Volatile.Read(ref _counters.RemoteConflicts),
        };
    }

    /// <summary>Ends the session: unlinks its CACHED segments (those still its own), drops its mappings, ends the registration, trims the raw copies.</summary>
    public void Dispose()
    {
        if (_entries.Dispose())
        {
            _subscription?.Dispose();
            _remote?.Dispose();
            _session.Dispose();
            TrimRawCopies(); // after the mappings went: copies only this session used are free now
        }
    }

    /// <summary>Evicts, as a put would, until the directory is within <see cref="CacheConfig.MaxDiskMb"/>.</summary>
    /// <returns>The bytes the directory's files take afterwards.</returns>
    public long TrimDisk()
    {
        ThrowIfDisposed();
        return _budget.Trim();
    }

    /// <summary>Keeps the node's raw copies within <see cref="CacheConfig.RawCopyBudgetMb"/> (<see cref="RawCopyBudget"/>); never throws.</summary>
    public void TrimRawCopies()
    {
        try
        {
            (int copies, long bytes) = RawCopyBudget.Trim(_stores.Cached, _publisher, _lastUse, _settings.RawCopyBudgetBytes);
            if (copies > 0)
            {
                Log.RawCopiesTrimmed(_settings.Logger, copies, bytes, _settings.RawCopyBudgetBytes);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.RawCopyTrimFailed(_settings.Logger, ex.Message);
        }
    }

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_entries.IsDisposed, typeof(IntermediateCache));

    private KeyLocation Locate(EntryKey key, RetentionPolicy policy) => _stores.For(policy).Locate(key.ResultType, key.Key);
}
