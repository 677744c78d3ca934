using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Coherence;

/// <summary>The cache never changes the mode of a directory it did not create; it refuses an unsafe one.</summary>
public sealed class DirectoryModeTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("1777")] // like /tmp
    [InlineData("2775")] // a setgid group directory
    [InlineData("0777")]
    public void ExistingGroupOrWorldWritableDirectory_IsRefused_AndKeepsItsMode(string octal)
    {
        var mode = (UnixFileMode)Convert.ToInt32(octal, 8);
        Directory.CreateDirectory(_dir.CachePath);
        File.SetUnixFileMode(_dir.CachePath, mode);

        IOException refused = Assert.Throws<IOException>(() => new IntermediateCache(_dir.Config()));

        Assert.Contains("subdirectory", refused.Message, StringComparison.Ordinal);
        Assert.Equal(mode, File.GetUnixFileMode(_dir.CachePath));
    }

    [Fact]
    public void ExistingGroupWritableCachedDir_IsRefused_AndKeepsItsMode()
    {
        string cachedDir = Path.Combine(_dir.Root, "shm");
        Directory.CreateDirectory(cachedDir);
        var mode = (UnixFileMode)Convert.ToInt32("1777", 8);
        File.SetUnixFileMode(cachedDir, mode);

        Assert.Throws<IOException>(() => new IntermediateCache(_dir.Config() with { CachedDir = cachedDir }));
        Assert.Equal(mode, File.GetUnixFileMode(cachedDir));
    }

    [Fact]
    public void ExistingReadableDirectory_IsUsed_AndKeepsItsMode()
    {
        var mode = (UnixFileMode)Convert.ToInt32("0755", 8);
        Directory.CreateDirectory(_dir.CachePath);
        File.SetUnixFileMode(_dir.CachePath, mode);

        using (var cache = new IntermediateCache(_dir.Config()))
        {
            cache.Put<float>("t", "k", [1f], [1]);
        }

        Assert.Equal(mode, File.GetUnixFileMode(_dir.CachePath));
    }
}
