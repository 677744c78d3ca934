using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// A <c>~</c> the shell left as it is (quoted, or after <c>--cache-dir=</c>) is the home directory
/// in <c>--cache-dir</c> and in the files of <c>import</c> and <c>export</c>: nothing appears under
/// a directory named <c>~</c> in the working directory.
/// </summary>
public sealed class HomeDirectoryArgumentTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();
    private readonly string _home;
    private readonly string _work;

    public HomeDirectoryArgumentTests()
    {
        _home = Directory.CreateDirectory(Path.Combine(_dir.Root, "home")).FullName;
        _work = Directory.CreateDirectory(Path.Combine(_dir.Root, "work")).FullName;
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ExportAndImport_WithTildeInCacheDirAndFile_WorkInTheHomeDirectory()
    {
        string cacheDir = Path.Combine(_home, "osipy-cache");
        using (var cache = new IntermediateCache(new CacheConfig { CacheDir = cacheDir, DefaultPolicy = RetentionPolicy.Persistent }))
        {
            cache.Put<float>("t1_map", "subject-01", TestData.Ramp(12), [3, 4]);
        }

        Dictionary<string, string?> home = new() { ["HOME"] = _home };
        (int exit, string output, string error) = OsipyCacheTool.RunIn(_work, home, "export", "t1_map", "subject-01", "~/t1.npy", "--cache-dir=~/osipy-cache");
        Assert.True(exit == 0, error + output);
        Assert.True(File.Exists(Path.Combine(_home, "t1.npy")), output);

        (exit, output, error) = OsipyCacheTool.RunIn(_work, home, "import", "~/t1.npy", "--type", "copy", "--key", "subject-01", "--cache-dir", "~/osipy-cache");
        Assert.True(exit == 0, error + output);

        using (var cache = new IntermediateCache(new CacheConfig { CacheDir = cacheDir, DefaultPolicy = RetentionPolicy.Persistent }))
        using (MappedArray<float> copy = cache.Get<float>("copy", "subject-01")!)
        {
            Assert.Equal(TestData.Ramp(12), copy.ReadOnlySpan.ToArray());
        }

        Assert.Empty(Directory.GetFileSystemEntries(_work));
    }
}
