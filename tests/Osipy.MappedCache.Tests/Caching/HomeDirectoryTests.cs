using Osipy.MappedCache.Redis;

namespace Osipy.MappedCache.Tests.Caching;

/// <summary>
/// A leading <c>~</c> in a path setting is the home directory, as in a shell: a configuration
/// that says <c>"~/osipy-cache"</c> never makes a directory named <c>~</c> under the working
/// directory. Checked against the real home directory, with a name no one else uses, removed afterwards.
/// </summary>
public sealed class HomeDirectoryTests : IDisposable
{
    private static readonly string s_home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private readonly string _name = $"osipy-mc-test-{Guid.NewGuid():N}";

    public void Dispose()
    {
        foreach (string directory in new[] { Path.Combine(s_home, _name), Path.Combine(Environment.CurrentDirectory, "~", _name) })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("~", "")]
    [InlineData("~/", "")]
    [InlineData("~/osipy-cache", "osipy-cache")]
    [InlineData("~/a/b/", "a/b/")]
    public void ExpandHome_LeadingTilde_IsTheHomeDirectory(string path, string rest) =>
        Assert.Equal(Path.Join(s_home, rest), CacheConfig.ExpandHome(path));

    [Theory]
    [InlineData("")]
    [InlineData("cache")]
    [InlineData("/tmp/~")]
    [InlineData("a/~/b")]
    [InlineData("~other/cache")]
    [InlineData("~~")]
    public void ExpandHome_AnyOtherPath_IsUnchanged(string path) => Assert.Equal(path, CacheConfig.ExpandHome(path));

    [Fact]
    public void ExpandHome_Null_IsNull() => Assert.Null(CacheConfig.ExpandHome(null));

    [Fact]
    public void CacheDirAndCachedDir_WithTilde_AreUnderTheHomeDirectory()
    {
        var config = new CacheConfig { CacheDir = "~/osipy-cache", CachedDir = "~" };

        Assert.Equal(Path.Join(s_home, "osipy-cache"), config.CacheDir);
        Assert.Equal(s_home, config.CachedDir);
        Assert.Equal(Path.Join(s_home, "x"), (config with { CacheDir = "~/x" }).CacheDir);
    }

    [Fact]
    public void RedisTlsFiles_WithTilde_AreUnderTheHomeDirectory()
    {
        var options = new RedisRemoteTierOptions
        {
            Configuration = "localhost:7000",
            TlsCaFile = "~/tls/ca.crt",
            TlsClientCertificateFile = "~/tls/client.crt",
            TlsClientKeyFile = "~/tls/client.key",
        };

        Assert.Equal(Path.Join(s_home, "tls", "ca.crt"), options.TlsCaFile);
        Assert.Equal(Path.Join(s_home, "tls", "client.crt"), options.TlsClientCertificateFile);
        Assert.Equal(Path.Join(s_home, "tls", "client.key"), options.TlsClientKeyFile);
    }

    [Fact]
    public void Open_WithTildeCacheDir_CreatesItInTheHomeDirectory_NotUnderTheWorkingDirectory()
    {
        using (var cache = new IntermediateCache(new CacheConfig { CacheDir = $"~/{_name}", DefaultPolicy = RetentionPolicy.Persistent }))
        {
            cache.Put<float>("t1_map", "k", [1f], [1]);
            Assert.Equal(Path.Combine(s_home, _name), cache.CacheDir);
        }

        Assert.Single(Directory.GetFiles(Path.Combine(s_home, _name), "*.npy", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(Environment.CurrentDirectory, "~", _name)));
    }
}
