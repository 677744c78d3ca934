namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>A fresh directory per test, removed afterwards; <see cref="CachePath"/> is where the cache lives.</summary>
public sealed class TempCacheDirectory : IDisposable
{
    public TempCacheDirectory()
    {
        Root = Directory.CreateTempSubdirectory("osipy-mc-test-").FullName;
        CachePath = Path.Combine(Root, "cache");
    }

    public string Root { get; }

    public string CachePath { get; }

    public CacheConfig Config(RetentionPolicy policy = RetentionPolicy.Cached, long maxMemoryMb = 1024, long maxAgeSeconds = 3600) => new()
    {
        CacheDir = CachePath,
        DefaultPolicy = policy,
        MaxMemoryMb = maxMemoryMb,
        MaxAgeSeconds = maxAgeSeconds,
    };

    /// <summary>Segment files currently in the cache (temporaries, quarantine, session, lock and generation files excluded).</summary>
    public string[] SegmentFiles() =>
        Directory.Exists(CachePath)
            ? [.. Directory.EnumerateFiles(CachePath, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('.') && !f.Contains("/quarantine/", StringComparison.Ordinal)
                    && (f.EndsWith(".npy", StringComparison.Ordinal) || f.EndsWith(".bundle", StringComparison.Ordinal) || f.EndsWith(".zseg", StringComparison.Ordinal)))]
            : [];

    /// <summary>
    /// Every file under <paramref name="directory"/> except the cache's housekeeping: session files,
    /// the key lock stripes, the shared generation counters and last-use stamps.
    /// </summary>
    public static string[] FilesButHousekeeping(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".session", StringComparison.Ordinal) && !f.Contains("/locks/", StringComparison.Ordinal) && Path.GetFileName(f) is not ("generations" or "last-use"))];

    public string[] QuarantinedFiles()
    {
        string quarantine = Path.Combine(CachePath, "quarantine");
        return Directory.Exists(quarantine) ? Directory.GetFiles(quarantine) : [];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
