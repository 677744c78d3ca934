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

    /// <summary>Segment files currently in the cache (temporaries, quarantine and session files excluded).</summary>
    public string[] SegmentFiles() =>
        Directory.Exists(CachePath)
            ? [.. Directory.EnumerateFiles(CachePath, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('.') && !f.Contains("/quarantine/", StringComparison.Ordinal) && !f.Contains("/sessions/", StringComparison.Ordinal))]
            : [];

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
