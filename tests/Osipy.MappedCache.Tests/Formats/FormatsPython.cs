using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Formats;

/// <summary>
/// Runs Debian's /usr/bin/python3 for the format tests, with numpy (and nibabel where asked), and skips
/// the test when they are missing. Scripts get their arguments in sys.argv[1:].
/// </summary>
internal static class FormatsPython
{
    private const string Python = NativeLibraryFixture.Python;

    private static readonly Lazy<bool> s_hasNumpy = new(() => Imports("numpy"));
    private static readonly Lazy<bool> s_hasNibabel = new(() => Imports("numpy, nibabel"));
    private static readonly Lazy<bool> s_hasZarr = new(() => Imports("numpy, zarr"));

    /// <summary>Runs a numpy script and returns its output; fails the test if it exits nonzero.</summary>
    public static string Numpy(string script, params string[] args)
    {
        if (!s_hasNumpy.Value)
        {
            Assert.Skip("Debian's python3-numpy is not installed (apt-get install python3-numpy).");
        }

        return Run(script, args);
    }

    /// <summary>Runs a nibabel script and returns its output; fails the test if it exits nonzero.</summary>
    public static string Nibabel(string script, params string[] args)
    {
        if (!s_hasNibabel.Value)
        {
            Assert.Skip("Debian's python3-nibabel is not installed (apt-get install python3-nibabel).");
        }

        return Run(script, args);
    }

    /// <summary>Runs a zarr script and returns its output; fails the test if it exits nonzero.</summary>
    public static string Zarr(string script, params string[] args)
    {
        if (!s_hasZarr.Value)
        {
            Assert.Skip("Debian's python3-zarr is not installed (apt-get install python3-zarr); .ci/run installs it.");
        }

        return Run(script, args);
    }

    private static string Run(string script, string[] args)
    {
        (int exit, string output) = NativeLibraryFixture.Run(Python, Path.GetTempPath(), ["-c", script, .. args]);
        Assert.True(exit == 0, $"python3 exited with {exit}:{Environment.NewLine}{output}");
        return output;
    }

    private static bool Imports(string modules) =>
        File.Exists(Python) && NativeLibraryFixture.Run(Python, Path.GetTempPath(), "-c", $"import {modules}").ExitCode == 0;
}
