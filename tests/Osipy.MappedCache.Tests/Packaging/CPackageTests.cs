using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Packaging;

/// <summary>
/// `src/Osipy.MappedCache.Native/pack.sh PREFIX` lays the C library out as C libraries are
/// installed (lib/, include/, lib/pkgconfig/), and a C program builds with nothing but
/// `cc $(pkg-config --cflags --libs osipy_mappedcache)` against that prefix, then runs.
/// </summary>
[Collection(NativeCollection.Name)] // pack.sh publishes into the same output as the fixture: never at the same time
public sealed class CPackageTests(NativeLibraryFixture native) : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void PackedPrefix_BuildsRoundtripWithPkgConfig_AndItRuns()
    {
        if (!native.HasGcc || Command.Run("pkg-config", "--version").ExitCode != 0)
        {
            Assert.Skip("gcc or pkg-config is not installed (apt-get install gcc pkg-config); .ci/run installs them.");
        }

        string prefix = Path.Combine(_dir.Root, "prefix");
        string pack = Path.Combine(native.RepositoryRoot, "src", "Osipy.MappedCache.Native", "pack.sh");
        (int exit, string log) = NativeLibraryFixture.Run("bash", native.RepositoryRoot, pack, prefix);
        Assert.True(exit == 0, log);
        Assert.True(File.Exists(Path.Combine(prefix, "lib", "libosipy_mappedcache.so")));
        Assert.True(File.Exists(Path.Combine(prefix, "include", "osipy_mappedcache.h")));
        string pc = File.ReadAllText(Path.Combine(prefix, "lib", "pkgconfig", "osipy_mappedcache.pc"));
        Assert.Contains($"prefix={prefix}\n", pc);

        string source = Path.Combine(native.RepositoryRoot, "src", "Osipy.MappedCache.Native", "examples", "roundtrip.c");
        string program = Path.Combine(_dir.Root, "roundtrip");
        (exit, log) = NativeLibraryFixture.Run(
            "bash", _dir.Root, ["-c", $"cc -O2 -Wall -Werror '{source}' -o '{program}' $(pkg-config --cflags --libs osipy_mappedcache)"],
            ("PKG_CONFIG_PATH", Path.Combine(prefix, "lib", "pkgconfig")));
        Assert.True(exit == 0, log);

        (string, string) loaderPath = ("LD_LIBRARY_PATH", Path.Combine(prefix, "lib"));
        (exit, log) = NativeLibraryFixture.Run(program, _dir.Root, ["put", _dir.CachePath, "t", "k", "1000"], loaderPath);
        Assert.True(exit == 0, log);
        (exit, log) = NativeLibraryFixture.Run(program, _dir.Root, ["get", _dir.CachePath, "t", "k"], loaderPath);
        Assert.True(exit == 0, log);
        Assert.Equal($"dtype=1 shape=1000 sum={TestData.Ramp(1000).Sum(v => (double)v):F1}", log.Trim());
    }
}
