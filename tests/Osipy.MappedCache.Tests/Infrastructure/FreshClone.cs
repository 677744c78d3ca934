namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// What a new user has after <c>git clone</c>: the repository's working tree (tracked files and
/// untracked ones git does not ignore, uncommitted changes included, no bin/, obj/ or other
/// build output) copied into a temporary directory and committed there, and a home directory of
/// its own, so that the README's commands run exactly as written, <c>~</c> included.
/// </summary>
/// <remarks>
/// NuGet in that home sees the machine's package cache as its only source and as its global
/// packages folder, without any Osipy package that earlier builds or tests left in it: a restore
/// of Osipy.MappedCache can only take the package made in the clone, and nothing comes from the
/// network (nor does pip look there: <c>PIP_NO_INDEX</c>). Both directories are removed on dispose.
/// </remarks>
public sealed class FreshClone : IDisposable
{
    // Lower-case package ids, as NuGet names their folders in the cache.
    private static readonly string[] s_ourPackages = ["osipy.mappedcache", "osipy.mappedcache.redis", "osipy-cache"];

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("osipy-mc-clone-");

    public FreshClone()
    {
        Root = Path.Combine(_work.FullName, "repo");
        Home = Path.Combine(_work.FullName, "home");
        string packages = Path.Combine(Home, ".nuget", "packages");
        Environment =
        [
            ("HOME", Home), ("DOTNET_CLI_HOME", Home), ("NUGET_PACKAGES", packages), ("PIP_NO_INDEX", "1"),
            ("DOTNET_NOLOGO", "1"), ("DOTNET_CLI_TELEMETRY_OPTOUT", "1"),
            ("MSBUILDDISABLENODEREUSE", "1"), // no build node outlives the test with HOME in a removed directory
        ];
        CopyWorkingTree(NativeLibraryFixture.FindRepositoryRoot(), Root);
        LinkPackageCache(packages);
        Directory.CreateDirectory(Path.Combine(Home, ".nuget", "NuGet"));
        File.WriteAllText(Path.Combine(Home, ".nuget", "NuGet", "NuGet.Config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="machine" value="{packages}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>The clone: the repository root, where the README's commands run.</summary>
    public string Root { get; }

    /// <summary>The user's home directory, <c>~</c> to the commands run here.</summary>
    public string Home { get; }

    /// <summary>The variables every command here runs with (pass them to <see cref="NativeLibraryFixture.Run(string, string, string[], (string, string?)[])"/>).</summary>
    public (string Name, string? Value)[] Environment { get; }

    /// <summary>Runs <paramref name="script"/> with bash in <see cref="Root"/>, stopping at the first command that fails; each command is echoed into the output.</summary>
    public (int ExitCode, string Output) Run(string script, params (string Name, string? Value)[] environment) =>
        NativeLibraryFixture.Run("bash", Root, ["-exc", script], [.. Environment, .. environment]);

    public void Dispose()
    {
        // Deleting removes the links into the machine's package cache, never what they point to.
        _work.Delete(recursive: true);
    }

    private static void CopyWorkingTree(string from, string to)
    {
        (int exit, string list) = NativeLibraryFixture.Run("git", from, "ls-files", "-z", "--cached", "--others", "--exclude-standard");
        Assert.True(exit == 0, list);
        foreach (string file in list.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            string source = Path.Combine(from, file);
            if (File.Exists(source)) // a tracked file deleted in the working tree is not in it
            {
                string target = Path.Combine(to, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target); // keeps the mode: pack.sh stays executable
            }
        }

        // A clone is a repository with a commit and an origin (Source Link records both in the packages).
        foreach (string[] git in new[]
        {
            new[] { "init", "-q" },
            ["add", "-A"],
            ["-c", "user.name=test", "-c", "user.email=test@localhost", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "working tree"],
            ["remote", "add", "origin", from],
        })
        {
            (exit, string log) = NativeLibraryFixture.Run("git", to, git);
            Assert.True(exit == 0, $"git {string.Join(' ', git)}: {log}");
        }
    }

    private static void LinkPackageCache(string packages)
    {
        string machine = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        Directory.CreateDirectory(packages);
        foreach (string package in Directory.Exists(machine) ? Directory.GetDirectories(machine) : [])
        {
            string id = Path.GetFileName(package);
            if (!s_ourPackages.Contains(id))
            {
                Directory.CreateSymbolicLink(Path.Combine(packages, id), package);
            }
        }
    }
}

/// <summary>The packaging tests: each builds a whole clone, so they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection
{
    public const string Name = "packaging";
}
