using System.Diagnostics;

namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// Publishes the NativeAOT library once for the tests that drive real C and Python processes,
/// with the README's command, and compiles C programs against it.
/// </summary>
public sealed class NativeLibraryFixture
{
    public const string Python = "/usr/bin/python3";

    public NativeLibraryFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        PublishDirectory = Path.Combine(RepositoryRoot, "src", "Osipy.MappedCache.Native", "bin", "Release", "net10.0", "linux-x64", "publish");
        (int exit, string output) = Run(DotnetHost(), RepositoryRoot, "publish", "src/Osipy.MappedCache.Native", "-r", "linux-x64", "-c", "Release");
        if (exit != 0 || !File.Exists(LibraryPath))
        {
            throw new InvalidOperationException($"Publishing the native library failed ({exit}):{Environment.NewLine}{output}");
        }

        HasGcc = Run("gcc", RepositoryRoot, "--version").ExitCode == 0;
        HasNumpy = File.Exists(Python) && Run(Python, RepositoryRoot, "-c", "import numpy").ExitCode == 0;
    }

    public string RepositoryRoot { get; }

    public string PublishDirectory { get; }

    public string LibraryPath => Path.Combine(PublishDirectory, "libosipy_mappedcache.so");

    public string IncludeDirectory => Path.Combine(RepositoryRoot, "src", "Osipy.MappedCache.Native", "include");

    public string PythonPackageRoot => Path.Combine(RepositoryRoot, "python");

    public bool HasGcc { get; }

    public bool HasNumpy { get; }

    /// <summary>Compiles a C file against the library; the result runs without LD_LIBRARY_PATH (rpath).</summary>
    public string CompileC(string source, string outputDirectory)
    {
        if (!HasGcc)
        {
            Assert.Skip("gcc is not installed (apt-get install gcc).");
        }

        string output = Path.Combine(outputDirectory, Path.GetFileNameWithoutExtension(source));
        (int exit, string log) = Run(
            "gcc", RepositoryRoot, "-O2", "-Wall", "-Werror", "-I", IncludeDirectory, source, "-o", output,
            "-L", PublishDirectory, "-losipy_mappedcache", $"-Wl,-rpath,{PublishDirectory}");
        Assert.True(exit == 0, log);
        return output;
    }

    /// <summary>Runs a Python script with Debian's numpy and the package on its path.</summary>
    public (int ExitCode, string Output) RunPython(string script, params string[] args)
    {
        if (!HasNumpy)
        {
            Assert.Skip("Debian's python3-numpy is not installed (apt-get install python3-numpy); .ci/run installs it.");
        }

        return Run(Python, RepositoryRoot, ["-c", script, .. args], ("PYTHONPATH", PythonPackageRoot), ("OSIPY_MAPPEDCACHE_LIBRARY", LibraryPath));
    }

    public static (int ExitCode, string Output) Run(string file, string workingDirectory, params string[] args) =>
        Run(file, workingDirectory, args, []);

    /// <summary>Runs a program; each of <paramref name="environment"/> sets a variable, or removes it when its value is null.</summary>
    public static (int ExitCode, string Output) Run(string file, string workingDirectory, string[] args, params (string Name, string? Value)[] environment)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test host runs under `dotnet test`; its MSBuild variables would confuse a nested build.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        try
        {
            using Process process = Process.Start(start)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }

    internal static string DotnetHost()
    {
        string? fromCli = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromCli) && File.Exists(fromCli) ? fromCli
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
    }

    internal static string FindRepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Osipy.MappedCache.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests must run from inside the repository (Osipy.MappedCache.sln not found above them).");
    }
}

[CollectionDefinition(Name)]
public sealed class NativeCollection : ICollectionFixture<NativeLibraryFixture>
{
    public const string Name = "native library";
}
