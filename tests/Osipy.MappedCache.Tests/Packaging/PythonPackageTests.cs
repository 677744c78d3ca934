using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Packaging;

/// <summary>
/// The Python package installs as Python packages do: `pip install --no-build-isolation ./python`
/// in a venv builds the native library and puts it inside the installed package, and the wheel
/// from `pip wheel` installs into another venv on a PATH without the .NET SDK, where the
/// package's own tests pass from a directory outside the repository (no PYTHONPATH, no library
/// variable). Only Debian's setuptools, wheel and numpy are used: nothing comes from the network.
/// </summary>
[Collection(NativeCollection.Name)] // the build publishes the native library, as the fixture does: never at the same time
public sealed class PythonPackageTests(NativeLibraryFixture native) : IDisposable
{
    // What an installed package sees: no repository on its path, no SDK, no variables pointing at a library.
    private static readonly (string, string?)[] s_outsideTheRepository =
        [("PATH", "/usr/bin:/bin"), ("PYTHONPATH", null), ("OSIPY_MAPPEDCACHE_LIBRARY", null)];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("osipy-mc-pip-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void PipInstallsThePackageWithItsLibrary_AndTheWheelWorksWithoutTheSdk()
    {
        if (!native.HasNumpy || NativeLibraryFixture.Run(NativeLibraryFixture.Python, _work.FullName, "-c", "import setuptools, wheel, venv, ensurepip").ExitCode != 0)
        {
            Assert.Skip("Debian's python3-numpy, python3-setuptools, python3-wheel and python3-venv are needed; .ci/run installs them.");
        }

        string source = native.PythonPackageRoot;
        string builder = Venv("build");
        (int exit, string log) = NativeLibraryFixture.Run(Pip(builder), _work.FullName, "install", "--no-build-isolation", "--no-index", source);
        Assert.True(exit == 0, log);
        (exit, log) = NativeLibraryFixture.Run(Python(builder), _work.FullName, ["-c", "import osipy_mappedcache, pathlib; print(pathlib.Path(osipy_mappedcache.__file__).with_name('libosipy_mappedcache.so').is_file())"], s_outsideTheRepository);
        Assert.True(exit == 0 && log.Trim() == "True", $"the installed package has no library beside it: {log}");

        string dist = Path.Combine(_work.FullName, "dist");
        (exit, log) = NativeLibraryFixture.Run(Pip(builder), _work.FullName, "wheel", "--no-build-isolation", "--no-deps", "--no-index", source, "-w", dist);
        Assert.True(exit == 0, log);
        string wheel = Assert.Single(Directory.GetFiles(dist, "osipy_mappedcache-*-py3-none-linux_x86_64.whl"));

        string user = Venv("user");
        (exit, log) = NativeLibraryFixture.Run(Pip(user), _work.FullName, ["install", "--no-index", wheel], s_outsideTheRepository);
        Assert.True(exit == 0, log);

        string tests = Path.Combine(_work.FullName, "tests");
        CopyDirectory(Path.Combine(source, "tests"), tests);
        (exit, log) = NativeLibraryFixture.Run(
            Python(user), _work.FullName,
            ["-c", $"import osipy_mappedcache, sys, unittest; assert osipy_mappedcache.__file__.startswith('{user}'), osipy_mappedcache.__file__; r = unittest.main(module=None, argv=['x', 'discover', '-s', 'tests'], exit=False).result; sys.exit(0 if r.wasSuccessful() and r.testsRun > 0 and not r.skipped else 1)"],
            s_outsideTheRepository);
        Assert.True(exit == 0, log);
    }

    private string Venv(string name)
    {
        string path = Path.Combine(_work.FullName, name);
        (int exit, string log) = NativeLibraryFixture.Run(NativeLibraryFixture.Python, _work.FullName, "-m", "venv", "--system-site-packages", path);
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
