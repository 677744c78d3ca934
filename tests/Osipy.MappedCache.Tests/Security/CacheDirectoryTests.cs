using System.Diagnostics;
using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Security;

public sealed class CacheDirectoryTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DefaultDirectory_IsPerUserUnderTemp_AndPrivate()
    {
        using var cache = new IntermediateCache(new CacheConfig { MaxMemoryMb = 1 });

        Assert.Equal(Path.GetTempPath(), Path.GetDirectoryName(cache.CacheDir) + "/");
        Assert.StartsWith("osipy_cache_", Path.GetFileName(cache.CacheDir), StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(cache.CacheDir));
    }

    [Fact]
    public void NewDirectory_IsCreated0700_AndSegments0600()
    {
        using var cache = new IntermediateCache(_dir.Config());
        cache.Put<float>("t", "k", [1f], [1]);

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_dir.CachePath));
        string segment = Assert.Single(_dir.SegmentFiles());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(segment));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.GetDirectoryName(segment)!));
    }

    [Fact]
    public void SymlinkedDirectory_IsRefused()
    {
        string real = Path.Combine(_dir.Root, "real");
        Directory.CreateDirectory(real);
        Directory.CreateSymbolicLink(_dir.CachePath, real);

        var error = Assert.Throws<IOException>(() => new IntermediateCache(_dir.Config()));
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SymlinkedTypeDirectory_IsRefused_AndNothingWrittenThrough()
    {
        using var cache = new IntermediateCache(_dir.Config());
        string typeDir = Path.GetDirectoryName(SegmentPaths.Single(cache, "t", "k"))!;
        string elsewhere = Path.Combine(_dir.Root, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateSymbolicLink(typeDir, elsewhere);

        Assert.Throws<IOException>(() => cache.Put<float>("t", "k", [1f], [1]));
        Assert.Empty(Directory.GetFiles(elsewhere));
    }

    [Fact]
    public void ForeignOwnedDirectory_IsRefused()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("Needs root to give a directory to another user (chown).");
        }

        Directory.CreateDirectory(_dir.CachePath);
        using (Process chown = Process.Start("chown", ["65534", _dir.CachePath]))
        {
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }

        var error = Assert.Throws<UnauthorizedAccessException>(() => new IntermediateCache(_dir.Config()));
        Assert.Contains("owned by uid 65534", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PathThatIsAFile_IsRefused()
    {
        Directory.CreateDirectory(_dir.Root);
        File.WriteAllText(_dir.CachePath, "x");

        Assert.Throws<IOException>(() => new IntermediateCache(_dir.Config()));
    }
}
