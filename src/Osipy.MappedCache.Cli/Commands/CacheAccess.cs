using System.CommandLine;

namespace Osipy.MappedCache.Cli.Commands;

/// <summary>
/// Opens the cache a command works on, as any process opens it (which also reclaims what dead
/// sessions left), and finds one entry whatever its policy.
/// </summary>
/// <remarks>
/// Expiry is off (MaxAgeSeconds = 0): looking at an old entry must never delete it. The policy
/// that decides where a get looks is the entry's own, read from its file by <see cref="IntermediateCache.ListSegments"/>.
/// Only <c>import</c> creates the directory (<see cref="OpenOrCreate"/>): every other command looks at
/// or removes what is there, so a directory that does not exist (a mistyped --cache-dir, or the
/// default one before anything was cached) is reported, not created.
/// </remarks>
internal static class CacheAccess
{
    /// <summary>Opens the existing cache directory the command line names.</summary>
    /// <exception cref="CommandException">The directory does not exist; nothing is created.</exception>
    public static IntermediateCache Open(ParseResult parsed, IReadOnlyDictionary<string, RetentionPolicy>? policies = null, long maxDiskMb = 0)
    {
        // Checked before the configuration is built: that connects to the cluster, if one is named.
        string? given = parsed.GetValue(CommonOptions.CacheDir);
        string directory = new CacheConfig { CacheDir = given }.ResolveCacheDir();
        if (!Directory.Exists(directory))
        {
            throw new CommandException(
                $"no cache at {directory}: "
                + (given is null
                    ? "the default directory (used without --cache-dir) does not exist, so nothing has been cached there yet; name your cache with --cache-dir DIR."
                    : "the directory does not exist (check --cache-dir; only import creates one)."));
        }

        return new IntermediateCache(Config(parsed, policies, maxDiskMb));
    }

    /// <summary>Opens the cache directory the command line names, creating it (0700) if it does not exist.</summary>
    public static IntermediateCache OpenOrCreate(ParseResult parsed, IReadOnlyDictionary<string, RetentionPolicy>? policies = null) =>
        new(Config(parsed, policies, maxDiskMb: 0));

    private static CacheConfig Config(ParseResult parsed, IReadOnlyDictionary<string, RetentionPolicy>? policies, long maxDiskMb) => new()
    {
        CacheDir = parsed.GetValue(CommonOptions.CacheDir),
        MaxAgeSeconds = 0,
        MaxMemoryMb = 1024 * 1024,
        MaxDiskMb = maxDiskMb,
        Policies = policies ?? new Dictionary<string, RetentionPolicy>(),
        Remote = RemoteAccess.TierFor(parsed),
    };

    /// <summary>
    /// Refuses a destructive command on a directory that was used with a cluster when the command
    /// has none: removing the local files alone would be undone by the next get, which brings the
    /// entry back from the cluster.
    /// </summary>
    public static void RequireClusterIfUsedWithOne(ParseResult parsed, IntermediateCache cache)
    {
        if (RemoteAccess.TierFor(parsed) is null && File.Exists(Path.Combine(cache.CacheDir, "remote", "node-id")))
        {
            throw new CommandException(
                $"{cache.CacheDir} is used with a Redis cluster (it has remote/node-id): removing entries here alone would be undone by the next get, "
                + "which brings them back from the cluster. Pass the cluster with --redis CONF (or set OSIPY_CACHE_REDIS) to remove them everywhere.");
        }
    }

    /// <summary>The cache opened with <paramref name="resultType"/>'s policy taken from the entry's file, and the file; a <see cref="CommandException"/> if absent.</summary>
    public static (IntermediateCache Cache, StoredSegment Segment) OpenEntry(ParseResult parsed, string resultType, string key)
    {
        StoredSegment? found;
        string directory;
        using (IntermediateCache probe = Open(parsed))
        {
            directory = probe.CacheDir;
            found = probe.ListSegments(resultType).FirstOrDefault(s => s.Entry.Key == key);
        }

        if (found is null)
        {
            throw new CommandException($"no entry '{key}' of type '{resultType}' in {directory}; 'osipy-cache ls --cache-dir {directory}' lists what is there.");
        }

        IntermediateCache cache = Open(parsed, new Dictionary<string, RetentionPolicy> { [resultType] = found.Entry.Policy });
        return (cache, found);
    }
}
