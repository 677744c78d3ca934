using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Packaging;

/// <summary>
/// The README's C install lines, run as they stand in a fresh clone: `pack.sh ~/.local` lays the
/// C library out as C libraries are installed (lib/, include/, lib/pkgconfig/), a C program builds
/// with nothing but `cc prog.c $(pkg-config --cflags --libs osipy_mappedcache)`, and it starts
/// without LD_LIBRARY_PATH, because the pkg-config file gives it an rpath to the prefix.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class CPackageTests : IDisposable
{
    // Whatever the test's own environment says, the loader gets no help finding the library.
    private static readonly (string, string?) s_noLoaderPath = ("LD_LIBRARY_PATH", null);

    private readonly FreshClone _clone = new();

    public void Dispose() => _clone.Dispose();

    [Fact]
    public void ReadmeInstallLines_BuildAProgramWithPkgConfig_ThatRunsWithoutLdLibraryPath()
    {
        if (Command.Run("cc", "--version").ExitCode != 0 || Command.Run("pkg-config", "--version").ExitCode != 0)
        {
            Assert.Skip("cc or pkg-config is not installed (apt-get install gcc pkg-config); .ci/run installs them.");
        }

        // The user's program, which the README calls prog.c: here the example that ships with the library.
        File.Copy(Path.Combine(_clone.Root, "src", "Osipy.MappedCache.Native", "examples", "roundtrip.c"), Path.Combine(_clone.Root, "prog.c"));
        (int exit, string log) = _clone.Run(ReadmeInstall.Section(_clone.Root, "C"), s_noLoaderPath);
        Assert.True(exit == 0, log);

        string prefix = Path.Combine(_clone.Home, ".local");
        Assert.True(File.Exists(Path.Combine(prefix, "lib", "libosipy_mappedcache.so")));
        Assert.True(File.Exists(Path.Combine(prefix, "include", "osipy_mappedcache.h")));
        string pc = File.ReadAllText(Path.Combine(prefix, "lib", "pkgconfig", "osipy_mappedcache.pc"));
        Assert.Contains($"prefix={prefix}\n", pc);

        string program = Path.Combine(_clone.Root, "a.out");
        string cache = Path.Combine(_clone.Home, "cache");
        (exit, log) = NativeLibraryFixture.Run(program, _clone.Root, ["put", cache, "t", "k", "1000"], [.. _clone.Environment, s_noLoaderPath]);
        Assert.True(exit == 0, log);
        (exit, log) = NativeLibraryFixture.Run(program, _clone.Root, ["get", cache, "t", "k"], [.. _clone.Environment, s_noLoaderPath]);
        Assert.True(exit == 0, log);
        Assert.Equal($"dtype=1 shape=1000 sum={TestData.Ramp(1000).Sum(v => (double)v):F1}", log.Trim());
    }
}
