using System.Collections.ObjectModel;
using System.Diagnostics.CodeAnalysis;
using Osipy.MappedCache.Files;

namespace Osipy.MappedCache;

/// <summary>Settings of an <see cref="IntermediateCache"/> (osipy's <c>CacheConfig</c>), with the seed's defaults.</summary>
/// <remarks>
/// Immutable; <see cref="Validate"/> runs when a cache is constructed. One difference from the seed:
/// <see cref="Compression"/> defaults to false, because a compressed segment cannot be mapped zero-copy.
/// </remarks>
public sealed record CacheConfig
{
    private static readonly IReadOnlyDictionary<string, RetentionPolicy> s_noPolicies =
        new ReadOnlyDictionary<string, RetentionPolicy>(new Dictionary<string, RetentionPolicy>());

    private static readonly IReadOnlyDictionary<string, bool> s_noOverrides =
        new ReadOnlyDictionary<string, bool>(new Dictionary<string, bool>());

    /// <summary>Policy of result types not listed in <see cref="Policies"/>. Default <see cref="RetentionPolicy.Cached"/>.</summary>
    public RetentionPolicy DefaultPolicy { get; init; } = RetentionPolicy.Cached;

    /// <summary>Per-result-type policies, overriding <see cref="DefaultPolicy"/>. Default empty.</summary>
    public IReadOnlyDictionary<string, RetentionPolicy> Policies { get; init; } = s_noPolicies;

    /// <summary>
    /// Directory of segment files; null means <c>&lt;temp&gt;/osipy_cache_&lt;user&gt;</c>. Created 0700 if
    /// missing; an existing one must belong to the user and not be writable by group or others.
    /// A leading <c>~</c> is the home directory (<see cref="ExpandHome"/>), as in a shell.
    /// </summary>
    /// <exception cref="ArgumentException">The value starts with <c>~</c> and the home directory is unknown.</exception>
    public string? CacheDir { get; init => field = ExpandHome(value); }

    /// <summary>
    /// Directory for CACHED segments; null means <see cref="CacheDir"/>. Point it at a directory on a
    /// tmpfs such as <c>/dev/shm/osipy</c> (a subdirectory: /dev/shm itself is world-writable and
    /// refused) so session data never touches the disk (it then counts against RAM and the
    /// tmpfs size). Every session sharing a cache directory should use the same value. A leading
    /// <c>~</c> is the home directory (<see cref="ExpandHome"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The value starts with <c>~</c> and the home directory is unknown.</exception>
    public string? CachedDir { get; init => field = ExpandHome(value); }

    /// <summary>
    /// Bound, in MiB, on the bytes this session holds: its CACHED segments plus segments it has mapped.
    /// Least-recently-used entries without live leases are evicted beyond it. Default 1024.
    /// </summary>
    public long MaxMemoryMb { get; init; } = 1024;

    /// <summary>
    /// Bound, in MiB, on the disk space of the cache directory (and <see cref="CachedDir"/>), shared
    /// by every session and process using it; 0 (the default) means no limit. A put or create that
    /// would exceed it first removes files: raw copies of compressed entries, then PERSISTENT and
    /// CACHED entries, each least recently used first by any process's gets, never the entry
    /// being written and never a write in progress (a lease that maps a removed file keeps its
    /// bytes). An entry larger than the whole budget is refused with an <see cref="IOException"/>.
    /// Every session sharing a directory should use the same value.
    /// </summary>
    public long MaxDiskMb { get; init; }

    /// <summary>
    /// At most this many segments mapped at once by this session (default 16,384). Beyond it the
    /// least recently used mappings without leases are unmapped (their entries stay). Linux allows
    /// 65,530 mappings per process by default (vm.max_map_count): this keeps a cache of very many
    /// small entries well inside it.
    /// </summary>
    public int MaxMappedSegments { get; init; } = 16_384;

    /// <summary>
    /// Read a segment's pages in when it is first mapped (madvise MADV_POPULATE_READ; read-ahead on
    /// kernels before 5.14), so the first pass over it
    /// never waits on page faults. Costs the read up front: a get then grows with the array's size.
    /// Default false.
    /// </summary>
    public bool Prefault { get; init; }

    /// <summary>Entries older than this many seconds are misses and are removed; 0 means no limit. Default 3600.</summary>
    public long MaxAgeSeconds { get; init; } = 3600;

    /// <summary>
    /// Compress PERSISTENT single-array segments at rest (byte-shuffle + LZ4, in 1 MiB chunks).
    /// Default false, unlike the seed: a compressed file cannot be mapped zero-copy, so it is
    /// decompressed once per node into a raw copy in <see cref="CachedDir"/>, which every later
    /// get of every session and process there maps zero-copy. The session that puts writes that
    /// copy as it compresses, so no get on its node waits. CACHED segments and bundles are never compressed.
    /// </summary>
    public bool Compression { get; init; }

    /// <summary>
    /// Bound, in MiB, on the raw copies of compressed entries kept in a CACHED directory for the
    /// node's next gets (default 2048: one large 4D series stays ready without decompressing again,
    /// while compression keeps its savings on disk). Checked when a session opens and when it ends:
    /// beyond it the least recently used copies (by any process's gets) are removed, never one a
    /// live session maps. 0 keeps none beyond the sessions using them. Every session sharing a
    /// directory should use the same value.
    /// </summary>
    public long RawCopyBudgetMb { get; init; } = 2048;

    /// <summary>Per-result-type override of <see cref="Compression"/> (for example compress "t1_map", never "concentration").</summary>
    public IReadOnlyDictionary<string, bool> CompressionByType { get; init; } = s_noOverrides;

    /// <summary>
    /// Verify a segment's payload checksums the first time this session maps it (a full read of
    /// the data, so a get then grows with the size). Header and record are always checked. Default false.
    /// </summary>
    public bool VerifyOnFirstMap { get; init; }

    /// <summary>
    /// At most this many files are kept in each store's <c>quarantine/</c> directory (default 64);
    /// beyond it the oldest are removed. 0 keeps none: corrupt files are removed at once.
    /// </summary>
    public int MaxQuarantineFiles { get; init; } = 64;

    /// <summary>
    /// How long the recorded blocks of a fill in blocks that did not commit (its process was killed,
    /// or its fill threw) are kept for a caller to resume; after this long without a write, the next
    /// reclaim (a session opening on the directory, <see cref="IntermediateCache.ReclaimDeadSessions"/>,
    /// <c>osipy-cache gc</c>) removes them, unless a fill is using them. Default one day.
    /// </summary>
    public TimeSpan UnfinishedFillRetention { get; init; } = TimeSpan.FromDays(1);

    /// <summary>
    /// A store shared by many nodes (for example <c>Osipy.MappedCache.Redis.RedisRemoteTier</c>) that
    /// PERSISTENT entries are uploaded to and fetched from on a local miss; null (the default) keeps
    /// the cache on this node. See <see cref="IRemoteTier"/>.
    /// </summary>
    public IRemoteTier? Remote { get; init; }

    /// <summary>
    /// The directory a cache opened with this configuration uses: <see cref="CacheDir"/>, or
    /// <c>&lt;temp&gt;/osipy_cache_&lt;user&gt;</c> when it is null, as a full path without a trailing
    /// separator (what <see cref="IntermediateCache.CacheDir"/> reports). Creates and checks nothing.
    /// </summary>
    /// <remarks>For a tool that must tell a missing directory from an empty one before opening a cache, which would create it.</remarks>
    /// <exception cref="ArgumentException"><see cref="CacheDir"/> is not a valid path.</exception>
    public string ResolveCacheDir() => CacheDirectory.FullPath(CacheDir ?? CacheDirectory.DefaultPath());

    /// <summary>
    /// <paramref name="path"/> with a leading <c>~</c>, alone or before a <c>/</c>, replaced by the
    /// user's home directory (<c>$HOME</c>, else the password database's), as a shell and Python's
    /// <c>os.path.expanduser</c> do; any other path, <c>~user</c> forms included, is returned as it is.
    /// </summary>
    /// <remarks>
    /// Every path setting goes through it (<see cref="CacheDir"/>, <see cref="CachedDir"/>, the
    /// Redis tier's TLS files), so that <c>"~/osipy-cache"</c> written in a configuration file or
    /// a quoted argument, where no shell expands it, never becomes a directory named <c>~</c>
    /// under the working directory. Thread-safe.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="path"/> starts with <c>~</c> and the home directory is unknown.</exception>
    [return: NotNullIfNotNull(nameof(path))]
    public static string? ExpandHome(string? path)
    {
        if (path is null || !path.StartsWith('~') || (path.Length > 1 && path[1] != '/'))
        {
            return path;
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length == 0)
        {
            throw new ArgumentException($"'{path}' starts with ~, but the home directory is unknown (HOME is not set); give the full path.", nameof(path));
        }

        return path.Length <= 2 ? home : Path.Join(home, path.AsSpan(2));
    }

    /// <summary>
    /// The cache directory of osipy's own <c>IntermediateCache</c> (its <c>cache_dir</c>; osipy's
    /// default is <c>&lt;temp&gt;/osipy_cache</c>), whose files a miss falls back to; null (the default)
    /// reads none. On a get, get-or-create or has that finds nothing in this cache, the file osipy
    /// wrote for the key (<c>md5("{result_type}:{key}").npz</c>) is read if it holds the type asked
    /// for and is no older than <see cref="MaxAgeSeconds"/>, stored by a put under the type's policy
    /// (keeping osipy's metadata and creation time), and returned; later gets are served from this
    /// cache. A file of another type is never returned; an object (pickled) array, a type the cache
    /// cannot hold, or a malformed file is a miss, logged with its reason. Only regular files this user
    /// owns are read, never through a symbolic link (another user could plant one). The directory is only read.
    /// A leading <c>~</c> is the home directory (<see cref="ExpandHome"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The value starts with <c>~</c> and the home directory is unknown.</exception>
    public string? LegacyOsipyDir { get; init => field = ExpandHome(value); }

    /// <summary>Checks every setting; the cache calls this when it opens.</summary>
    /// <exception cref="ArgumentNullException">A dictionary is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Policies, nameof(Policies));
        ArgumentNullException.ThrowIfNull(CompressionByType, nameof(CompressionByType));
        if (!Enum.IsDefined(DefaultPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultPolicy), DefaultPolicy, "DefaultPolicy is not a RetentionPolicy.");
        }

        foreach (var (type, policy) in Policies)
        {
            if (!Enum.IsDefined(policy))
            {
                throw new ArgumentOutOfRangeException(nameof(Policies), policy, $"Policies['{type}'] is not a RetentionPolicy.");
            }
        }

        if (MaxMemoryMb < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMemoryMb), MaxMemoryMb, "MaxMemoryMb must not be negative.");
        }

        if (MaxDiskMb < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDiskMb), MaxDiskMb, "MaxDiskMb must not be negative (0 means no limit).");
        }

        if (RawCopyBudgetMb < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RawCopyBudgetMb), RawCopyBudgetMb, "RawCopyBudgetMb must not be negative.");
        }

        if (MaxMappedSegments < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMappedSegments), MaxMappedSegments, "MaxMappedSegments must be at least 1.");
        }

        if (MaxAgeSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAgeSeconds), MaxAgeSeconds, "MaxAgeSeconds must not be negative (0 means no limit).");
        }

        if (UnfinishedFillRetention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(UnfinishedFillRetention), UnfinishedFillRetention, "UnfinishedFillRetention must be positive.");
        }

        if (MaxQuarantineFiles < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQuarantineFiles), MaxQuarantineFiles, "MaxQuarantineFiles must not be negative.");
        }
    }
}
