using Osipy.MappedCache.Tests.Infrastructure;

namespace Osipy.MappedCache.Tests.Cli;

/// <summary>
/// A cache directory that does not exist (a mistyped --cache-dir, or the default one before anything
/// was cached) is reported by every command but import, and never created: "0 entries" would hide
/// the typo.
/// </summary>
public sealed class MissingCacheDirectoryTests : IDisposable
{
    private readonly TempCacheDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("ls")]
    [InlineData("stats")]
    [InlineData("show", "t1_map", "k")]
    [InlineData("path", "t1_map", "k")]
    [InlineData("verify", "--all")]
    [InlineData("verify", "t1_map", "k")]
    [InlineData("export", "t1_map", "k", "OUT")]
    [InlineData("gc")]
    [InlineData("rm", "t1_map", "k")]
    [InlineData("rm", "--tag", "subject:07")]
    [InlineData("clear", "--yes")]
    public void Command_OnAMissingCacheDir_ExitsOneNamingItAndCreatesNothing(params string[] command)
    {
        string typo = Path.Combine(_dir.Root, "typo");
        string[] args = [.. command.Select(a => a == "OUT" ? Path.Combine(_dir.Root, "out.npy") : a), "--cache-dir", typo + "/"];

        (int exit, string output, string error) = OsipyCacheTool.Run(args);

        Assert.True(exit == 1, $"exit {exit}: {error}{output}");
        Assert.Contains($"no cache at {typo}:", error, StringComparison.Ordinal);
        Assert.Contains("--cache-dir", error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(typo));
        Assert.False(File.Exists(Path.Combine(_dir.Root, "out.npy")));
    }

    [Fact]
    public void Ls_WithoutCacheDir_OnAMissingDefaultDirectory_SaysItIsTheDefaultAndCreatesNothing()
    {
        // The default is <temp>/osipy_cache_<user>, and <temp> is $TMPDIR.
        string temp = Path.Combine(_dir.Root, "tmp");
        Directory.CreateDirectory(temp);

        (int exit, string output, string error) = OsipyCacheTool.RunWith(new Dictionary<string, string?> { ["TMPDIR"] = temp }, "ls");

        Assert.True(exit == 1, $"exit {exit}: {error}{output}");
        Assert.Contains($"no cache at {Path.Combine(temp, "osipy_cache_")}", error, StringComparison.Ordinal);
        Assert.Contains("default directory", error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
    }
}
