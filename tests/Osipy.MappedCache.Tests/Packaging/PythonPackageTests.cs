using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Packaging;

/// <summary>
/// The README's Python install lines, run as they stand in a fresh clone, whatever python3 comes
/// first on PATH: a venv over Debian's python3 sees its numpy, setuptools and wheel, `pip install
/// --no-build-isolation ./python` builds the native library and puts it inside the installed
/// package, and the wheel from `pip wheel` installs into another venv on a PATH without the .NET
/// SDK, where the package's own tests pass from a directory outside the repository (no
/// PYTHONPATH, no library variable). Nothing comes from the network.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class PythonPackageTests : IDisposable
{
    // What an installed package sees: no repository on its path, no SDK, no variables pointing at a library.
    private static readonly (string, string?)[] s_outsideTheRepository =
        [("PATH", "/usr/bin:/bin"), ("PYTHONPATH", null), ("OSIPY_MAPPEDCACHE_LIBRARY", null)];

    private readonly FreshClone _clone = new();

    public void Dispose() => _clone.Dispose();

    [Fact]
    public void ReadmeInstallLines_InstallThePackageWithItsLibrary_AndTheWheelWorksWithoutTheSdk()
    {
        if (NativeLibraryFixture.Run(NativeLibraryFixture.Python, _clone.Home, "-c", "import numpy, setuptools, wheel, venv, ensurepip").ExitCode != 0)
        {
            Assert.Skip("Debian's python3-numpy, python3-setuptools, python3-wheel and python3-venv are needed; .ci/run installs them.");
        }

        (int exit, string log) = _clone.Run(ReadmeInstall.Section(_clone.Root, "Python"));
        Assert.True(exit == 0, log);
        string installed = Path.Combine(_clone.Root, ".venv");
        (exit, log) = NativeLibraryFixture.Run(
            Python(installed), _clone.Home,
            ["-c", "import osipy_mappedcache, pathlib; print(pathlib.Path(osipy_mappedcache.__file__).with_name('libosipy_mappedcache.so').is_file())"],
            [.. _clone.Environment, .. s_outsideTheRepository]);
        Assert.True(exit == 0 && log.Trim() == "True", $"the installed package has no library beside it: {log}");

        string wheel = Assert.Single(Directory.GetFiles(Path.Combine(_clone.Root, "dist"), "osipy_mappedcache-*-py3-none-linux_x86_64.whl"));
        string user = Venv("user");
        (exit, log) = NativeLibraryFixture.Run(Pip(user), _clone.Home, ["install", wheel], [.. _clone.Environment, .. s_outsideTheRepository]);
        Assert.True(exit == 0, log);

        string tests = Path.Combine(_clone.Home, "tests");
        CopyDirectory(Path.Combine(_clone.Root, "python", "tests"), tests);
        (exit, log) = NativeLibraryFixture.Run(
            Python(user), _clone.Home,
            ["-c", $"import osipy_mappedcache, sys, unittest; assert osipy_mappedcache.__file__.startswith('{user}'), osipy_mappedcache.__file__; r = unittest.main(module=None, argv=['x', 'discover', '-s', 'tests'], exit=False).result; sys.exit(0 if r.wasSuccessful() and r.testsRun > 0 and not r.skipped else 1)"],
            [.. _clone.Environment, .. s_outsideTheRepository]);
        Assert.True(exit == 0, log);
    }

    private string Venv(string name)
    {
        string path = Path.Combine(_clone.Home, name);
        (int exit, string log) = NativeLibraryFixture.Run(NativeLibraryFixture.Python, _clone.Home, "-m", "venv", "--system-site-packages", path);
        Assert.True(exit == 0, log);
        return path;
    }

    private static string Python(string venv) => Path.Combine(venv, "bin", "python");

    private static string Pip(string venv) => Path.Combine(venv, "bin", "pip");

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*.py"))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
